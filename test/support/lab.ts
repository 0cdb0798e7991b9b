/**
 * A throw-away JupyterLab for the browser tests: the project's Python (`python -m jupyter lab`) on
 * 127.0.0.1, a free port, a random token, no browser, its own process group, and every piece of
 * state (runtime files, config, user settings, workspaces, notebook trust database) in a temporary
 * folder, so the user's ~/.jupyter neither leaks in nor gets written.
 *
 * Kernels inherit the server's environment: pass FACETYPE_* in `env`.
 * The app object is exposed as `window.jupyterapp` (LabApp.expose_app_in_browser, as JupyterLab's
 * own Galata tests do), so tests run commands such as `notebook:run-all-cells` directly.
 *
 * tslab resolves `import ... from "facetype"` (both its type check and Node's require) from the
 * notebook's folder upwards: a root outside the project needs a `node_modules` link to the
 * project's; `linkNodeModules()` makes it.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import * as fs from 'node:fs';
import * as net from 'node:net';
import * as os from 'node:os';
import * as path from 'node:path';
import { projectRoot, runtime } from 'facetype';
import * as jupyter from 'facetype/dist/cli/jupyter';

export interface LabOptions {
  /** Folder the Lab serves (its file browser's root; notebooks open relative to it). */
  root: string;
  /** Extra environment for the server, and so for its kernels. */
  env?: Record<string, string>;
  /** JupyterLab user settings by plugin id, merged over QUIET_SETTINGS. */
  settings?: Record<string, Record<string, unknown>>;
  /** How long the server may take to answer /api/status (default 60 s). */
  startTimeoutMs?: number;
}

export interface Lab {
  /** http://127.0.0.1:<port> */
  base: string;
  token: string;
  root: string;
  pid: number;
  /** URL opening `file` (relative to the root) in its own workspace, with the token. */
  url(file: string, workspace?: string): string;
  /** GET/DELETE/POST on the server's REST API with the token. */
  api(method: string, route: string): Promise<unknown>;
  /** Shuts down every kernel (the notebooks stay open). */
  shutdownKernels(): Promise<void>;
  /** The server's output so far (trimmed to the last 100 kB). */
  log(): string;
  /** Shuts the server and its kernels down; kills them if they do not go. Idempotent. */
  stop(): Promise<void>;
}

/**
 * Settings for an unattended Lab: no news or update pop-up over the notebook, and every cell
 * rendered (no windowing), so what a test looks for is in the DOM without scrolling.
 */
export const QUIET_SETTINGS: Record<string, Record<string, unknown>> = {
  '@jupyterlab/apputils-extension:notification': { fetchNews: 'false', checkForUpdates: false },
  '@jupyterlab/notebook-extension:tracker': { windowingMode: 'none' },
};

/** Makes `<root>/node_modules` a link to the project's, so tslab finds "facetype" from notebooks under root. */
export function linkNodeModules(root: string): void {
  const link = path.join(root, 'node_modules');
  if (!fs.existsSync(link)) fs.symlinkSync(path.join(projectRoot(), 'node_modules'), link, 'dir');
}

/** A TCP port nobody listens on right now. */
export function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = net.createServer();
    server.unref();
    server.on('error', reject);
    server.listen(0, '127.0.0.1', () => {
      const { port } = server.address() as net.AddressInfo;
      server.close(() => resolve(port));
    });
  });
}

function writeSettings(dir: string, settings: Record<string, Record<string, unknown>>): void {
  for (const [id, values] of Object.entries(settings)) {
    const [pkg, plugin] = id.split(':');
    const file = path.join(dir, ...pkg.split('/'), `${plugin}.jupyterlab-settings`);
    fs.mkdirSync(path.dirname(file), { recursive: true });
    fs.writeFileSync(file, JSON.stringify(values, null, 2));
  }
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
}

/** Kernels of this Lab: processes whose command line names a connection file in its runtime folder. */
function kernelPids(runtimeDir: string): number[] {
  if (!fs.existsSync('/proc')) return [];
  const pids: number[] = [];
  for (const entry of fs.readdirSync('/proc')) {
    if (!/^\d+$/.test(entry) || Number(entry) === process.pid) continue;
    try {
      const cmd = fs.readFileSync(`/proc/${entry}/cmdline`, 'utf8');
      if (cmd.includes(runtimeDir + path.sep)) pids.push(Number(entry));
    } catch {
      // gone meanwhile
    }
  }
  return pids;
}

/** Kills the server's process group, then any kernel left (kernels get sessions of their own). */
function killAll(child: ChildProcess, runtimeDir: string): void {
  if (child.pid && child.exitCode === null && child.signalCode === null) {
    try {
      process.kill(-child.pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
  for (const pid of kernelPids(runtimeDir)) {
    try {
      process.kill(pid, 'SIGKILL');
    } catch {
      // already gone
    }
  }
}

async function startOnce(options: LabOptions, stateDir: string): Promise<Lab> {
  const py = jupyter.jupyterPython();
  if (!py) throw new Error(jupyter.notebookSkipReason() ?? 'no Jupyter');
  const port = await freePort();
  const token = randomBytes(24).toString('hex');
  const base = `http://127.0.0.1:${port}`;
  const runtimeDir = path.join(stateDir, 'runtime');
  const settingsDir = path.join(stateDir, 'settings');
  for (const d of [runtimeDir, settingsDir, path.join(stateDir, 'config'), path.join(stateDir, 'workspaces')]) fs.mkdirSync(d, { recursive: true });
  writeSettings(settingsDir, { ...QUIET_SETTINGS, ...options.settings });
  const args = [
    '-m', 'jupyter', 'lab',
    '--no-browser',
    '--ip=127.0.0.1',
    `--port=${port}`,
    '--ServerApp.port_retries=0',
    `--IdentityProvider.token=${token}`,
    `--ServerApp.root_dir=${options.root}`,
    '--ServerApp.terminals_enabled=False',
    `--LabApp.user_settings_dir=${settingsDir}`,
    `--LabApp.workspaces_dir=${path.join(stateDir, 'workspaces')}`,
    '--LabApp.expose_app_in_browser=True',
    '--LabApp.extension_manager=readonly',
    '--NotebookNotary.db_file=:memory:',
  ];
  if (process.getuid?.() === 0) args.push('--allow-root');
  const env: NodeJS.ProcessEnv = {
    ...process.env,
    ...options.env,
    JUPYTER_RUNTIME_DIR: runtimeDir,
    JUPYTER_CONFIG_DIR: path.join(stateDir, 'config'),
    PYDEVD_DISABLE_FILE_VALIDATION: '1',
  };
  const child = spawn(py, args, { cwd: options.root, env, detached: true, stdio: ['ignore', 'pipe', 'pipe'] });
  let log = '';
  const take = (chunk: Buffer) => {
    log += chunk.toString();
    if (log.length > 200_000) log = log.slice(-100_000);
  };
  child.stdout!.on('data', take);
  child.stderr!.on('data', take);
  const exited = new Promise<void>((resolve) => child.on('exit', () => resolve()));
  // Should this process die without stop() (a crash, Ctrl-C), take the server and kernels along.
  const onExit = () => killAll(child, runtimeDir);
  const onSignal = (signal: NodeJS.Signals) => {
    onExit();
    process.exit(signal === 'SIGINT' ? 130 : 143);
  };
  process.on('exit', onExit);
  process.on('SIGINT', onSignal);
  process.on('SIGTERM', onSignal);

  const headers = { Authorization: `token ${token}` };
  const api = async (method: string, route: string): Promise<unknown> => {
    const r = await fetch(`${base}${route}`, { method, headers, signal: AbortSignal.timeout(10_000) });
    if (!r.ok) throw new Error(`${method} ${route}: HTTP ${r.status}`);
    const text = await r.text();
    return text ? JSON.parse(text) : null;
  };
  let stopped: Promise<void> | null = null;
  const lab: Lab = {
    base,
    token,
    root: options.root,
    pid: child.pid!,
    url: (file, workspace) => `${base}/lab/workspaces/${encodeURIComponent(workspace ?? `t${Date.now()}`)}/tree/${file.split('/').map(encodeURIComponent).join('/')}?token=${token}`,
    api,
    async shutdownKernels() {
      const kernels = (await api('GET', '/api/kernels')) as { id: string }[];
      await Promise.all(kernels.map((k) => api('DELETE', `/api/kernels/${k.id}`).catch(() => undefined)));
    },
    log: () => log,
    stop() {
      stopped ??= (async () => {
        // Politely first (the server shuts its kernels down), then the process group, then stray kernels.
        if (child.exitCode === null && child.signalCode === null) {
          await api('POST', '/api/shutdown').catch(() => undefined);
          await Promise.race([exited, sleep(10_000)]);
        }
        if (child.exitCode === null && child.signalCode === null) {
          try {
            process.kill(-child.pid!, 'SIGTERM');
          } catch {
            // gone
          }
          await Promise.race([exited, sleep(5_000)]);
        }
        killAll(child, runtimeDir);
        for (let i = 0; i < 20 && kernelPids(runtimeDir).some(alive); i++) await sleep(100);
        process.off('exit', onExit);
        process.off('SIGINT', onSignal);
        process.off('SIGTERM', onSignal);
      })();
      return stopped;
    },
  };

  const timeoutMs = options.startTimeoutMs ?? 60_000;
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null || child.signalCode !== null) {
      await lab.stop();
      throw new Error(`JupyterLab exited (${child.exitCode ?? child.signalCode}) before answering /api/status:\n${log.slice(-3000)}`);
    }
    try {
      const r = await fetch(`${base}/api/status`, { headers, signal: AbortSignal.timeout(2_000) });
      if (r.ok) return lab;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) {
      await lab.stop();
      throw new Error(`JupyterLab did not answer ${base}/api/status within ${timeoutMs / 1000} s:\n${log.slice(-3000)}`);
    }
    await sleep(250);
  }
}

/**
 * Starts JupyterLab on `root` and resolves once /api/status answers (one retry should another
 * process take the free port first). State lives in a temporary folder removed by stop().
 */
export async function startLab(options: LabOptions): Promise<Lab> {
  let lastError: unknown = null;
  for (let attempt = 0; attempt < 2; attempt++) {
    const stateDir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-lab-'));
    try {
      const lab = await startOnce(options, stateDir);
      const stop = lab.stop;
      lab.stop = async () => {
        await stop();
        fs.rmSync(stateDir, { recursive: true, force: true });
      };
      return lab;
    } catch (e) {
      fs.rmSync(stateDir, { recursive: true, force: true });
      lastError = e;
      if (!/address already in use|Errno 98/i.test(String(e))) break;
    }
  }
  throw lastError;
}
