/**
 * Shared by the benchmarks: the CelebA folder, a reusable prepared data folder, and a sampler of
 * the peak resident memory of this process and all its children (notebook kernels, workers).
 */
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { faces, projectRoot, runtime, stages } from 'facetype';

export function arg(name: string): string | undefined {
  const i = process.argv.indexOf(`--${name}`);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

/** ../shared/data/celeba/images, or --images; null (with a printed reason) when absent. */
export function celebaImages(): string | null {
  const images = path.resolve(arg('images') ?? path.join(projectRoot(), '..', 'shared', 'data', 'celeba', 'images'));
  if (!fs.existsSync(images)) {
    console.log(`benchmark skipped: ${images} does not exist (needs ../shared/data/celeba)`);
    return null;
  }
  return images;
}

/**
 * A data folder holding the 9,000 faces prepared from CelebA, prepared now when missing (the
 * preparation's own cache makes this a no-op the second time). --data overrides the folder.
 */
export async function preparedCeleba(images: string, keep = 9000): Promise<string> {
  const data = path.resolve(arg('data') ?? path.join(os.tmpdir(), 'facetype-bench-celeba'));
  console.log(`prepared CelebA faces in ${data} (prepared now if missing)`);
  await stages.prepareFaces({ source: images, keep, dataDir: data, onProgress: runtime.printProgress({ everyPercent: 25 }) });
  return data;
}

/** Resident memory (MB) of a process tree, from /proc; 0 where /proc is not available. */
function treeRss(root: number): number {
  let total = 0;
  try {
    const children = new Map<number, number[]>();
    const rss = new Map<number, number>();
    for (const d of fs.readdirSync('/proc')) {
      if (!/^\d+$/.test(d)) continue;
      try {
        const status = fs.readFileSync(`/proc/${d}/status`, 'utf8');
        const ppid = Number(/PPid:\s+(\d+)/.exec(status)?.[1] ?? 0);
        const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1] ?? 0);
        rss.set(Number(d), kb);
        (children.get(ppid) ?? children.set(ppid, []).get(ppid)!).push(Number(d));
      } catch {
        // the process ended
      }
    }
    const stack = [root];
    while (stack.length) {
      const p = stack.pop()!;
      total += rss.get(p) ?? 0;
      stack.push(...(children.get(p) ?? []));
    }
  } catch {
    return 0;
  }
  return total / 1024;
}

/** Samples the peak RSS of this process tree every 500 ms until stop() is called. */
export function rssSampler(): { stop(): number; peak(): number } {
  let peak = treeRss(process.pid);
  const timer = setInterval(() => {
    peak = Math.max(peak, treeRss(process.pid));
  }, 500);
  timer.unref();
  return {
    peak: () => peak,
    stop: () => {
      clearInterval(timer);
      peak = Math.max(peak, treeRss(process.pid), process.resourceUsage().maxRSS / 1024);
      return peak;
    },
  };
}

export function machine(): string {
  return `${os.cpus().length} x ${os.cpus()[0]?.model ?? 'cpu'}, ${(os.totalmem() / 2 ** 30).toFixed(0)} GiB, Node ${process.version}`;
}
