#!/usr/bin/env node
/*
 * Runs after `npm install` (postinstall). Idempotent; every step is skipped when already done.
 *  1. builds lib/ (TypeScript -> lib/dist JS + .d.ts) so notebooks and tests import `facetype`;
 *  2. creates the Python side: a venv in .venv with requirements.txt (JupyterLab, nbclient,
 *     nbconvert, ipykernel, plotly), or uses FACETYPE_PYTHON (for example a conda env);
 *  3. registers the tslab TypeScript kernel in that environment.
 * FACETYPE_SKIP_PYTHON=1 skips steps 2 and 3 (library use only).
 */
const { spawnSync } = require('node:child_process');
const crypto = require('node:crypto');
const fs = require('node:fs');
const path = require('node:path');

const root = path.resolve(__dirname, '..');
const log = (msg) => console.log(`[facetype setup] ${msg}`);

function run(cmd, args, opts = {}) {
  const r = spawnSync(cmd, args, { stdio: 'inherit', cwd: root, ...opts });
  if (r.error) throw new Error(`${cmd} could not start: ${r.error.message}`);
  if (r.status !== 0) throw new Error(`${cmd} ${args.join(' ')} exited with code ${r.status}`);
}

function fail(message) {
  console.error(`\n[facetype setup] ERROR: ${message}\n`);
  process.exit(1);
}

// 1. Build the library.
log('building lib/ (tsc)');
try {
  run(process.execPath, [require.resolve('typescript/bin/tsc'), '-p', 'tsconfig.json']);
} catch (e) {
  fail(`TypeScript build of lib/ failed: ${e.message}`);
}

if (process.env.FACETYPE_SKIP_PYTHON === '1') {
  log('FACETYPE_SKIP_PYTHON=1: Python/Jupyter side skipped');
  process.exit(0);
}

// 2. Python environment.
const venv = path.join(root, '.venv');
let python = process.env.FACETYPE_PYTHON;
let prefixArgs;
if (python) {
  log(`using FACETYPE_PYTHON=${python}`);
  prefixArgs = ['--sys-prefix'];
} else {
  python = path.join(venv, 'bin', 'python');
  if (!fs.existsSync(python)) {
    const base = process.env.PYTHON3 || 'python3';
    log(`creating Python venv in .venv with ${base}`);
    const r = spawnSync(base, ['-m', 'venv', venv], { stdio: 'inherit' });
    if (r.error || r.status !== 0) {
      fs.rmSync(venv, { recursive: true, force: true });
      fail(
        `could not create a Python venv with '${base} -m venv'. Install Python 3 with venv ` +
          `(Debian/Ubuntu: sudo apt-get install python3 python3-venv), or point FACETYPE_PYTHON at a ` +
          `Python that has the packages of requirements.txt (conda: see environment.yml), then run npm install again.`,
      );
    }
  }
  prefixArgs = ['--sys-prefix'];
}
fs.writeFileSync(path.join(root, '.jupyter-python'), python + '\n');

const reqFile = path.join(root, 'requirements.txt');
const reqHash = crypto.createHash('sha256').update(fs.readFileSync(reqFile)).digest('hex').slice(0, 16);
const sysPrefix = spawnSync(python, ['-c', 'import sys; print(sys.prefix)'], { encoding: 'utf8' }).stdout.trim();
if (!sysPrefix) fail(`${python} does not run`);
const marker = path.join(sysPrefix, '.facetype-requirements');
const have = fs.existsSync(marker) ? fs.readFileSync(marker, 'utf8').trim() : '';
if (have !== reqHash) {
  log('installing Python packages (requirements.txt)');
  try {
    run(python, ['-m', 'pip', 'install', '--disable-pip-version-check', '-q', '-r', reqFile]);
  } catch (e) {
    fail(`pip install -r requirements.txt failed (${e.message}). Check your network or pip index, then run npm install again.`);
  }
  fs.writeFileSync(marker, reqHash + '\n');
} else {
  log('Python packages already installed');
}

// 3. Register the tslab kernel (TypeScript) in that environment, started by this project's tslab.
const tslabBin = path.join(root, 'node_modules', '.bin', 'tslab');
const kernelJson = path.join(sysPrefix, 'share', 'jupyter', 'kernels', 'tslab', 'kernel.json');
let registered = false;
try {
  registered = JSON.parse(fs.readFileSync(kernelJson, 'utf8')).argv[0] === tslabBin;
} catch {
  registered = false;
}
if (!registered) {
  log('registering the tslab kernel');
  try {
    run(process.execPath, [path.join(root, 'node_modules', 'tslab', 'bin', 'tslab'), 'install', `--python=${python}`, `--binary=${tslabBin}`, ...prefixArgs]);
  } catch (e) {
    fail(`tslab kernel registration failed: ${e.message}`);
  }
} else {
  log('tslab kernel already registered');
}
log('done. Try: npm run demo   (or npm run lab to open the notebooks)');
