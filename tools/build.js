#!/usr/bin/env node
/*
 * `npm start`'s build: compiles src/ to dist/ only when something it depends on changed.
 * A fingerprint of every input (path, size, modification time) is kept in dist/; when it matches,
 * nothing runs. Otherwise tsc rebuilds incrementally (only changed files are re-emitted), after a
 * clean when a source file was deleted, so that no stale module (a migration above all, loaded by
 * glob) survives in dist/. `npm run build` stays the full, clean build used by the Dockerfile.
 */
'use strict';
const { spawnSync } = require('node:child_process');
const fs = require('node:fs');
const path = require('node:path');

const root = path.join(__dirname, '..');
const dist = path.join(root, 'dist');
const fingerprintFile = path.join(dist, '.build-fingerprint.json');
const inputs = ['src', 'tsconfig.json', 'tsconfig.build.json', 'package-lock.json'];

function walk(target, into) {
  const stat = fs.statSync(target, { throwIfNoEntry: false });
  if (!stat) return;
  if (stat.isDirectory()) {
    for (const name of fs.readdirSync(target).sort()) walk(path.join(target, name), into);
  } else {
    into[path.relative(root, target)] = `${stat.size}:${stat.mtimeMs}`;
  }
}

function fingerprint() {
  const files = {};
  for (const input of inputs) walk(path.join(root, input), files);
  return files;
}

function previous() {
  try {
    return JSON.parse(fs.readFileSync(fingerprintFile, 'utf8'));
  } catch {
    return null;
  }
}

const now = fingerprint();
const before = previous();
const changed = before === null ? Object.keys(now) : Object.keys(now).filter((file) => before[file] !== now[file]);
const removed = before === null ? [] : Object.keys(before).filter((file) => !(file in now));
if (before !== null && changed.length === 0 && removed.length === 0 && fs.existsSync(path.join(dist, 'main.js'))) {
  process.stdout.write('build: dist/ is up to date\n');
  process.exit(0);
}
if (before === null || removed.length > 0) fs.rmSync(dist, { recursive: true, force: true });
process.stdout.write(`build: compiling (${before === null ? 'first build' : `${changed.length} changed, ${removed.length} removed`})\n`);
const tsc = spawnSync(
  process.execPath,
  [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.build.json', '--incremental', '--tsBuildInfoFile', path.join(dist, '.tsbuildinfo')],
  { cwd: root, stdio: 'inherit' },
);
if (tsc.status !== 0) process.exit(tsc.status ?? 1);
const publicDir = path.join(dist, 'console', 'public');
fs.rmSync(publicDir, { recursive: true, force: true });
fs.cpSync(path.join(root, 'src', 'console', 'public'), publicDir, { recursive: true });
fs.writeFileSync(fingerprintFile, JSON.stringify(now));
