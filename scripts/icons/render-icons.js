#!/usr/bin/env node
'use strict';
/*
 * Renders images/icon.svg to the PNG icons used by the extension:
 *   images/extension-icon.png                      128x128 (marketplace / vss-extension.json)
 *   tasks/UploadWorkItemAttachmentsV1/icon.png       32x32 (pipeline task icon)
 *
 * Renderer: @resvg/resvg-js (prebuilt native binary shipped in npm packages, no system deps).
 * Usage:    node scripts/icons/render-icons.js [--check]
 *   --check  only verify that the committed PNGs exist and have the right size.
 */
const fs = require('fs');
const path = require('path');

const root = path.resolve(__dirname, '..', '..');
const source = path.join(root, 'images', 'icon.svg');
const targets = [
  { file: path.join(root, 'images', 'extension-icon.png'), size: 128 },
  { file: path.join(root, 'tasks', 'UploadWorkItemAttachmentsV1', 'icon.png'), size: 32 },
];

/** Reads width/height from the IHDR chunk of a PNG buffer. */
function pngSize(buf) {
  const sig = Buffer.from([0x89, 0x50, 0x4e, 0x47, 0x0d, 0x0a, 0x1a, 0x0a]);
  if (buf.length < 24 || !buf.subarray(0, 8).equals(sig) || buf.toString('latin1', 12, 16) !== 'IHDR') {
    throw new Error('not a PNG file');
  }
  return { width: buf.readUInt32BE(16), height: buf.readUInt32BE(20) };
}

function verify(file, size) {
  const { width, height } = pngSize(fs.readFileSync(file));
  if (width !== size || height !== size) {
    throw new Error(`${path.relative(root, file)} is ${width}x${height}, expected ${size}x${size}`);
  }
  console.log(`ok   ${path.relative(root, file)} ${width}x${height}`);
}

function loadResvg() {
  try {
    return require('@resvg/resvg-js').Resvg;
  } catch (err) {
    console.error('Cannot load @resvg/resvg-js. Install dev dependencies first (npm install).');
    throw err;
  }
}

function render() {
  const Resvg = loadResvg();
  const svg = fs.readFileSync(source);
  for (const { file, size } of targets) {
    const png = new Resvg(svg, {
      fitTo: { mode: 'width', value: size },
      background: 'rgba(0, 0, 0, 0)',
      shapeRendering: 2, // geometricPrecision (anti-aliased)
      font: { loadSystemFonts: false }, // the icon contains no text
    }).render().asPng();
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, png);
    console.log(`wrote ${path.relative(root, file)} (${png.length} bytes)`);
    verify(file, size);
  }
}

try {
  if (process.argv.includes('--check')) {
    for (const { file, size } of targets) verify(file, size);
  } else {
    render();
  }
} catch (err) {
  console.error(`render-icons: ${err.message}`);
  process.exitCode = 1;
}
