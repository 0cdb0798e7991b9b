/**
 * Running the notebooks headless with the project's Jupyter (the Python set up by npm install:
 * .venv, or FACETYPE_PYTHON), through nbclient on the tslab kernel. A failing cell fails the run
 * (no --allow-errors: tslab would skip later cells silently); the executed copy is written anyway.
 */
import { spawn, spawnSync } from 'node:child_process';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from '../config';

/** The Python that has Jupyter: FACETYPE_PYTHON, else the one npm install recorded, else .venv. */
export function jupyterPython(): string | null {
  const candidates = [
    process.env.FACETYPE_PYTHON,
    (() => {
      try {
        return fs.readFileSync(path.join(projectRoot(), '.jupyter-python'), 'utf8').trim();
      } catch {
        return undefined;
      }
    })(),
    path.join(projectRoot(), '.venv', 'bin', 'python'),
  ];
  for (const c of candidates) if (c && fs.existsSync(c)) return c;
  return null;
}

/** Why notebooks cannot run here, or null when they can (Jupyter, nbconvert and the tslab kernel present). */
export function notebookSkipReason(): string | null {
  const py = jupyterPython();
  if (!py) return 'no Python with Jupyter: run npm install (it creates .venv), or set FACETYPE_PYTHON';
  const r = spawnSync(py, ['-c', 'import nbconvert, nbclient; from jupyter_client.kernelspec import KernelSpecManager as K; import sys; sys.exit(0 if "tslab" in K().find_kernel_specs() else 3)'], { encoding: 'utf8' });
  if (r.status === 3) return 'the tslab kernel is not registered: run npm install';
  if (r.status !== 0) return `Jupyter is incomplete in ${py}: ${(r.stderr || '').trim().split('\n').pop()}`;
  return null;
}

export interface ExecuteOptions {
  /** Folder of the executed copy (default: next to the notebook's name in reports/). */
  outDir: string;
  /** Extra environment for the kernel (FACETYPE_SOURCE, FACETYPE_DATA, ...). */
  env?: Record<string, string | undefined>;
  /** Per-cell timeout in seconds (default: none). */
  cellTimeout?: number;
  /** Also write an HTML export beside the executed notebook. */
  html?: boolean;
  /** Receives the kernel's and nbconvert's log lines. */
  onLog?: (line: string) => void;
}

/** Prefix of the driver's line reporting a failed cell. */
export const CELL_ERROR_PREFIX = 'FACETYPE_CELL_ERROR ';

export interface ExecuteResult {
  notebook: string;
  executed: string;
  html: string | null;
  seconds: number;
}

function run(cmd: string, args: string[], env: NodeJS.ProcessEnv, onLog?: (line: string) => void): Promise<{ code: number; log: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(cmd, args, { env, cwd: projectRoot(), stdio: ['ignore', 'pipe', 'pipe'] });
    let log = '';
    const partial = { out: '', err: '' };
    const take = (which: 'out' | 'err') => (chunk: Buffer) => {
      const text = chunk.toString();
      log += text;
      if (log.length > 200_000) log = log.slice(-100_000);
      if (!onLog) return;
      // whole lines only: a chunk may end in the middle of one
      const lines = (partial[which] + text).split('\n');
      partial[which] = lines.pop() ?? '';
      for (const line of lines) if (line.trim()) onLog(line);
    };
    child.stdout.on('data', take('out'));
    child.stderr.on('data', take('err'));
    child.on('error', reject);
    child.on('close', (code) => resolve({ code: code ?? 1, log }));
  });
}

/**
 * Executes a notebook with nbclient and writes the executed copy even when a cell fails (so the
 * user can open it for details). On failure, prints one line `FACETYPE_CELL_ERROR {json}` with the
 * failing cell's error name, value and traceback.
 */
const DRIVER = `
import json, os, re, sys
import nbformat
from nbclient import NotebookClient
from nbclient.exceptions import CellExecutionError
src, out, timeout = sys.argv[1], sys.argv[2], int(sys.argv[3])
nb = nbformat.read(src, as_version=4)
failed = []
client = NotebookClient(nb, timeout=None if timeout < 0 else timeout, kernel_name='tslab',
                        resources={'metadata': {'path': os.path.dirname(os.path.abspath(src))}},
                        on_cell_error=lambda cell, cell_index, execute_reply: failed.append(cell_index))
code = 0
try:
    client.execute()
except CellExecutionError as e:
    code = 1
    ename, evalue, text = e.ename or '', e.evalue or '', ''
    if failed:
        # tslab reports a thrown error on the cell's stderr ('DataError: ...'), not in the reply
        for o in nb.cells[failed[-1]].get('outputs', []):
            if o.get('output_type') == 'error':
                ename, evalue = ename or o.get('ename', ''), evalue or o.get('evalue', '')
                text += '\\n'.join(o.get('traceback', [])) + '\\n'
            elif o.get('output_type') == 'stream' and o.get('name') == 'stderr':
                text += o.get('text', '')
        m = re.search(r'^(\\w*(?:Error|Exception))(?: \\[\\w+\\])?: (.+)$', re.sub(r'\\x1b\\[[0-9;]*m', '', text), re.M)
        if m and not evalue:
            ename, evalue = m.group(1), m.group(2)
    print('${CELL_ERROR_PREFIX}' + json.dumps({'ename': ename, 'evalue': evalue, 'cell': failed[-1] if failed else None,
          'traceback': text or e.traceback or str(e)}), flush=True)
finally:
    nbformat.write(nb, out)
sys.exit(code)
`;

/** A cell of an executed notebook failed. `executed` is the notebook written with its outputs. */
export class NotebookError extends Error {
  readonly notebook: string;
  readonly executed: string | null;
  /** Error class name thrown in the cell (DataError, TypeError...). */
  readonly ename: string;
  /** The error's message. */
  readonly evalue: string;
  /** The whole traceback or log, for --verbose. */
  readonly details: string;
  constructor(notebook: string, executed: string | null, ename: string, evalue: string, details: string) {
    super(`notebook ${path.basename(notebook)} failed: ${ename ? `${ename}: ` : ''}${evalue}`);
    this.name = 'NotebookError';
    this.notebook = notebook;
    this.executed = executed;
    this.ename = ename;
    this.evalue = evalue;
    this.details = details;
  }
}

/** The first line of an error value, without tslab's ANSI colours. */
function firstLine(text: string): string {
  return text.replace(/\x1b\[[0-9;]*m/g, '').split('\n').map((l) => l.trim()).find((l) => l.length > 0) ?? '';
}

/** Executes a notebook headless; throws a NotebookError with the failing cell's error when a cell fails. */
export async function executeNotebook(notebook: string, options: ExecuteOptions): Promise<ExecuteResult> {
  const py = jupyterPython();
  if (!py) throw new Error(notebookSkipReason() ?? 'no Jupyter');
  const t0 = Date.now();
  fs.mkdirSync(options.outDir, { recursive: true });
  const name = path.basename(notebook);
  const executed = path.join(options.outDir, name);
  const env: NodeJS.ProcessEnv = { ...process.env, ...options.env, PYDEVD_DISABLE_FILE_VALIDATION: '1' };
  let cellError: { ename: string; evalue: string; traceback: string } | null = null;
  const onLog = (line: string): void => {
    const i = line.indexOf(CELL_ERROR_PREFIX);
    if (i >= 0) {
      try {
        cellError = JSON.parse(line.slice(i + CELL_ERROR_PREFIX.length)) as { ename: string; evalue: string; traceback: string };
      } catch {
        cellError = { ename: '', evalue: line.slice(i + CELL_ERROR_PREFIX.length), traceback: '' };
      }
      return;
    }
    options.onLog?.(line);
  };
  fs.rmSync(executed, { force: true }); // never leave the copy of an earlier run beside a failure
  const r = await run(py, ['-c', DRIVER, notebook, executed, String(options.cellTimeout ?? -1)], env, onLog);
  const written = fs.existsSync(executed) ? executed : null;
  if (written) numberCells(written);
  if (r.code !== 0) {
    const err = cellError as { ename: string; evalue: string; traceback: string } | null;
    if (err) throw new NotebookError(notebook, written, err.ename, firstLine(err.evalue) || firstLine(err.traceback), err.traceback);
    const tail = r.log.trim().split('\n').slice(-30).join('\n');
    throw new NotebookError(notebook, written, '', firstLine(tail.split('\n').pop() ?? '') || `exit code ${r.code}`, tail);
  }
  let html: string | null = null;
  if (options.html) {
    const h = await run(py, ['-m', 'nbconvert', '--to', 'html', executed, '--output-dir', options.outDir], env, options.onLog);
    if (h.code !== 0) throw new Error(`HTML export of ${name} failed:\n${h.log.slice(-2000)}`);
    html = executed.replace(/\.ipynb$/, '.html');
  }
  return { notebook, executed, html, seconds: (Date.now() - t0) / 1000 };
}

/**
 * tslab reports execution counts only in its execute replies, which nbclient does not read: the
 * executed copy would show every cell as [ ]. Number the code cells in order, as a run does.
 */
function numberCells(file: string): void {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { cell_type: string; execution_count?: number | null; outputs?: { output_type: string; execution_count?: number | null }[] }[] };
  let n = 0;
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    cell.execution_count = ++n;
    for (const o of cell.outputs ?? []) if (o.output_type === 'execute_result') o.execution_count = n;
  }
  fs.writeFileSync(file, JSON.stringify(nb, null, 1) + '\n');
}

/** Output types of an executed notebook, for checks: errors, mime types per cell. */
export interface NotebookOutputs {
  errors: string[];
  mimeTypes: string[][];
  /** Number of outputs of each mime type over the notebook. */
  counts: Record<string, number>;
  /** Text written to stderr by cells. */
  stderr: string;
}

export function readOutputs(executed: string): NotebookOutputs {
  const nb = JSON.parse(fs.readFileSync(executed, 'utf8')) as { cells: { cell_type: string; outputs?: { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown>; ename?: string; evalue?: string }[] }[] };
  const errors: string[] = [];
  const mimeTypes: string[][] = [];
  const counts: Record<string, number> = {};
  let stderr = '';
  for (const cell of nb.cells) {
    if (cell.cell_type !== 'code') continue;
    const types: string[] = [];
    for (const o of cell.outputs ?? []) {
      if (o.output_type === 'error') errors.push(`${o.ename}: ${o.evalue}`);
      if (o.output_type === 'stream' && o.name === 'stderr') stderr += Array.isArray(o.text) ? o.text.join('') : o.text ?? '';
      for (const t of Object.keys(o.data ?? {})) {
        types.push(t);
        counts[t] = (counts[t] ?? 0) + 1;
      }
    }
    mimeTypes.push(types);
  }
  return { errors, mimeTypes, counts, stderr };
}
