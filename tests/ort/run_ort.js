#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (CPU) on raw tensors: the independent reference for
// kiln's real-model tests.
//
//   node run_ort.js [--optimization basic|extended|all] MODEL INPUT_ROOT OUTPUT_ROOT
//
// --optimization is ONNX Runtime's graph optimization level (default basic: a plain reference
// for float models). Quantized (QDQ) models need `all` (ONNX Runtime's own default) or
// `extended` to run the way ONNX Runtime runs them in practice: those levels fuse
// DequantizeLinear -> op -> QuantizeLinear into integer kernels (QLinearConv, ...); at `basic`
// every QDQ op is computed in float32 and rounded once at its QuantizeLinear.
//
// INPUT_ROOT holds one sub-directory per sample (any names; processed in sorted order). Each
// sample directory holds, for every model input i:
//   input_<i>.bin   the tensor as raw little-endian values of its dtype, row-major
//   input_<i>.json  {"name": "<model input name>", "shape": [d0, d1, ...], "dtype": "int8"}
//                   ("dtype" is optional and defaults to "float32")
// For each sample, OUTPUT_ROOT/<sample>/ receives, for every model output j (in the model's
// output order):
//   output_<j>.bin  raw little-endian values of the output's dtype
//   output_<j>.json {"name": "<model output name>", "shape": [...], "dtype": "<dtype>"}
// Supported dtypes: float32, int8, uint8, int16, int32 (all that the tests need); anything else
// is an error.
// Exit status: 0 on success, 1 on any error (message on stderr), 2 on a bad command line.
'use strict';

const fs = require('fs');
const path = require('path');

function fail(message, status = 1) {
  process.stderr.write(`run_ort: ${message}\n`);
  process.exit(status);
}

function loadOrt() {
  try {
    return require('onnxruntime-node');
  } catch (error) {
    fail(`cannot load onnxruntime-node (run scripts/setup_npm.sh): ${error.message}`);
  }
  return null;
}

function readJson(file) {
  try {
    return JSON.parse(fs.readFileSync(file, 'utf8'));
  } catch (error) {
    fail(`${file}: ${error.message}`);
  }
  return null;
}

// Element size and typed-array constructor per supported ONNX Runtime tensor type.
const DTYPES = {
  float32: { size: 4, array: Float32Array },
  int8: { size: 1, array: Int8Array },
  uint8: { size: 1, array: Uint8Array },
  int16: { size: 2, array: Int16Array },
  int32: { size: 4, array: Int32Array },
};

function dtypeInfo(dtype, what) {
  if (!Object.prototype.hasOwnProperty.call(DTYPES, dtype)) {
    fail(`${what}: dtype '${dtype}' is not supported (${Object.keys(DTYPES).join(', ')})`);
  }
  return DTYPES[dtype];
}

function readInputs(ort, sampleDir) {
  const feeds = {};
  for (let index = 0; fs.existsSync(path.join(sampleDir, `input_${index}.json`)); index++) {
    const sidecarFile = path.join(sampleDir, `input_${index}.json`);
    const sidecar = readJson(sidecarFile);
    if (typeof sidecar.name !== 'string' || !Array.isArray(sidecar.shape)) {
      fail(`${sidecarFile}: expected {"name": string, "shape": [ints], "dtype": optional string}`);
    }
    const dtype = sidecar.dtype === undefined ? 'float32' : sidecar.dtype;
    const info = dtypeInfo(dtype, sidecarFile);
    const bytes = fs.readFileSync(path.join(sampleDir, `input_${index}.bin`));
    const count = sidecar.shape.reduce((product, dim) => product * dim, 1);
    if (bytes.length !== count * info.size) {
      fail(`${sampleDir}: input_${index}.bin has ${bytes.length} bytes, ${dtype} shape [${sidecar.shape}] needs ${count * info.size}`);
    }
    // Copy into a fresh aligned typed array; Buffer slices may be unaligned. The files are
    // little-endian, as is every host onnxruntime-node ships for.
    const values = new info.array(count);
    new Uint8Array(values.buffer).set(bytes);
    feeds[sidecar.name] = new ort.Tensor(dtype, values, sidecar.shape);
  }
  if (Object.keys(feeds).length === 0) fail(`${sampleDir}: no input_0.json`);
  return feeds;
}

function writeOutputs(session, results, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, index) => {
    const tensor = results[name];
    const info = dtypeInfo(tensor.type, `output '${name}'`);
    const values = info.array.from(tensor.data);
    const bytes = Buffer.from(values.buffer, values.byteOffset, values.length * info.size);
    fs.writeFileSync(path.join(outDir, `output_${index}.bin`), bytes);
    const sidecar = { name, shape: tensor.dims, dtype: tensor.type };
    fs.writeFileSync(path.join(outDir, `output_${index}.json`), JSON.stringify(sidecar) + '\n');
  });
}

async function main() {
  const usage = 'usage: node run_ort.js [--optimization basic|extended|all] MODEL INPUT_ROOT OUTPUT_ROOT';
  const args = process.argv.slice(2);
  let optimization = 'basic';
  if (args.length > 0 && args[0] === '--optimization') {
    if (args.length < 2 || !['basic', 'extended', 'all'].includes(args[1])) fail(usage, 2);
    optimization = args[1];
    args.splice(0, 2);
  }
  if (args.length !== 3) fail(usage, 2);
  const [modelPath, inputRoot, outputRoot] = args;
  const ort = loadOrt();
  // One thread; by default no graph rewrites beyond the basic ones: the reference should be plain.
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: optimization,
  });
  const samples = fs.readdirSync(inputRoot, { withFileTypes: true })
    .filter((entry) => entry.isDirectory())
    .map((entry) => entry.name)
    .sort();
  if (samples.length === 0) fail(`${inputRoot}: no sample directories`);
  for (const sample of samples) {
    const feeds = readInputs(ort, path.join(inputRoot, sample));
    const results = await session.run(feeds);
    writeOutputs(session, results, path.join(outputRoot, sample));
  }
  process.stdout.write(`run_ort: ran ${samples.length} sample(s) through ${modelPath}\n`);
}

main().catch((error) => fail(error.message || String(error)));
