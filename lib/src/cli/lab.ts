#!/usr/bin/env node
/**
 * `npm run lab`: JupyterLab on the notebooks folder with the project's Python and tslab kernel.
 * Extra arguments go to `jupyter lab` (for example --port 8899 --no-browser).
 */
import { spawn } from 'node:child_process';
import * as path from 'node:path';
import { projectRoot } from '../config';
import { jupyterPython, notebookSkipReason } from './jupyter';

const skip = notebookSkipReason();
const py = jupyterPython();
if (skip || !py) {
  console.error(`error: ${skip ?? 'no Jupyter'}`);
  process.exit(1);
}
const child = spawn(py, ['-m', 'jupyter', 'lab', `--notebook-dir=${path.join(projectRoot(), 'notebooks')}`, ...process.argv.slice(2)], { stdio: 'inherit' });
child.on('close', (code) => process.exit(code ?? 0));
