#!/usr/bin/env node
// Runs an ONNX model with ONNX Runtime (CPU) on raw tensors: the independent reference for
// kiln's real-model tests.
//
//   node run_ort.js MODEL INPUT_ROOT OUTPUT_ROOT
//
// INPUT_ROOT holds one sub-directory per sample (any names; processed in sorted order). Each
// sample directory holds, for every model input i:
//   input_<i>.bin   the tensor as raw little-endian float32, row-major
//   input_<i>.json  {"name": "<model input name>", "shape": [d0, d1, ...]}
// For each sample, OUTPUT_ROOT/<sample>/ receives, for every model output j (in the model's
// output order):
//   output_<j>.bin  raw little-endian float32
//   output_<j>.json {"name": "<model output name>", "shape": [...]}
// Only float32 tensors are supported (all that the tests need); anything else is an error.
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

function readInputs(ort, sampleDir) {
  const feeds = {};
  for (let index = 0; fs.existsSync(path.join(sampleDir, `input_${index}.json`)); index++) {
    const sidecarFile = path.join(sampleDir, `input_${index}.json`);
    const sidecar = readJson(sidecarFile);
    if (typeof sidecar.name !== 'string' || !Array.isArray(sidecar.shape)) {
      fail(`${sidecarFile}: expected {"name": string, "shape": [ints]}`);
    }
    const bytes = fs.readFileSync(path.join(sampleDir, `input_${index}.bin`));
    const count = sidecar.shape.reduce((product, dim) => product * dim, 1);
    if (bytes.length !== count * 4) {
      fail(`${sampleDir}: input_${index}.bin has ${bytes.length} bytes, shape [${sidecar.shape}] needs ${count * 4}`);
    }
    // Copy into a fresh aligned Float32Array; Buffer slices may be unaligned.
    const values = new Float32Array(count);
    for (let i = 0; i < count; i++) values[i] = bytes.readFloatLE(4 * i);
    feeds[sidecar.name] = new ort.Tensor('float32', values, sidecar.shape);
  }
  if (Object.keys(feeds).length === 0) fail(`${sampleDir}: no input_0.json`);
  return feeds;
}

function writeOutputs(session, results, outDir) {
  fs.mkdirSync(outDir, { recursive: true });
  session.outputNames.forEach((name, index) => {
    const tensor = results[name];
    if (tensor.type !== 'float32') fail(`output '${name}' has type ${tensor.type}, only float32 is supported`);
    const bytes = Buffer.alloc(tensor.data.length * 4);
    tensor.data.forEach((value, i) => bytes.writeFloatLE(value, 4 * i));
    fs.writeFileSync(path.join(outDir, `output_${index}.bin`), bytes);
    fs.writeFileSync(path.join(outDir, `output_${index}.json`), JSON.stringify({ name, shape: tensor.dims }) + '\n');
  });
}

async function main() {
  const args = process.argv.slice(2);
  if (args.length !== 3) fail('usage: node run_ort.js MODEL INPUT_ROOT OUTPUT_ROOT', 2);
  const [modelPath, inputRoot, outputRoot] = args;
  const ort = loadOrt();
  // One thread and no graph rewrites beyond the basic ones: the reference should be plain.
  const session = await ort.InferenceSession.create(modelPath, {
    executionProviders: ['cpu'],
    intraOpNumThreads: 1,
    interOpNumThreads: 1,
    graphOptimizationLevel: 'basic',
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
