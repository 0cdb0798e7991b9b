/**
 * npm run bench:pool: our worker pool (cluster/parallel.ts) against piscina and tinypool on the
 * K-Means fan-out of one analyzeK call: k = 2..10, 10 restarts each, plus 20 bootstrap fits of
 * 80% of the points (3 restarts each), every restart or fit one task, largest k first, the data in
 * shared memory (workerData: no copy). The same handler runs the tasks in every pool, so only the
 * pools differ. Prints the median wall-clock time per fan-out over --repeats runs (default 3), the CPU
 * time of all threads (the pool's overhead shows there even on a loaded machine) and the pool
 * start-up time; checks that every pool returns the same inertias as the first one.
 *
 *   npm run bench:pool -- [--n 3000] [--dim 64] [--workers 2] [--repeats 3] [--order ours,piscina,tinypool]
 */
import * as os from 'node:os';
import * as path from 'node:path';
import Piscina from 'piscina';
import { Tinypool } from 'tinypool';
import { cluster } from 'facetype';
import { ClusterWorkers, type KMeansTask } from 'facetype/dist/cluster/parallel';
import type { KMeansRun } from 'facetype/dist/cluster/kmeans';
import { arg, machine } from './bench-common';

interface Pool {
  name: string;
  run(task: KMeansTask): Promise<KMeansRun>;
  close(): Promise<void>;
}

/** The tasks of one analyzeK call (analyze.ts), in its order. */
function fanOut(n: number): KMeansTask[] {
  const seed = 42, samples = 20, fraction = 0.8, nInit = 10, bootInit = 3;
  const base = { maxIter: 300, tol: 1e-4, algorithm: 'hamerly' as const };
  const ks = [10, 9, 8, 7, 6, 5, 4, 3, 2];
  const tasks: KMeansTask[] = [];
  for (const k of ks) for (let r = 0; r < nInit; r++) tasks.push({ type: 'kmeans', k, seed, r0: r, r1: r + 1, ...base });
  const rng = new cluster.Random(seed);
  for (let b = 0; b < samples; b++) {
    const subset = rng.fork(100_000 + b).sample(n, Math.round(fraction * n));
    for (const k of ks) {
      tasks.push({ type: 'kmeans', k, seed: new cluster.Random(seed).fork(200_000 + 1000 * k + b).seed, r0: 0, r1: bootInit, ...base, subset, subsetKey: `boot${b}` });
    }
  }
  return tasks;
}

async function main(): Promise<void> {
  const n = Number(arg('n') ?? 3000);
  const dim = Number(arg('dim') ?? 64);
  const workers = Number(arg('workers') ?? 2);
  const repeats = Number(arg('repeats') ?? 3);
  const { X } = cluster.makeBlobs({ n, centers: 6, dim, std: 0.5, onSphere: true, noise: 0.1, seed: 7 });
  const shared = new SharedArrayBuffer(n * dim * 8);
  new Float64Array(shared).set(X.data);
  const workerData = { buffer: shared, n, d: dim };
  const filename = path.join(__dirname, 'bench-pool-worker.js');
  const makers: { name: string; make(): Pool }[] = [
    { name: 'ours (cluster/parallel.ts)', make: () => {
      const p = new ClusterWorkers(X.data, n, dim, workers);
      return { name: 'ours', run: (t) => p.run(t) as Promise<KMeansRun>, close: () => p.close() };
    } },
    { name: 'piscina', make: () => {
      const p = new Piscina({ filename, minThreads: workers, maxThreads: workers, workerData, idleTimeout: 60_000 });
      return { name: 'piscina', run: (t) => p.run(t), close: () => p.destroy() };
    } },
    { name: 'tinypool', make: () => {
      const p = new Tinypool({ filename, minThreads: workers, maxThreads: workers, workerData, idleTimeout: 60_000 });
      return { name: 'tinypool', run: (t) => p.run(t), close: () => p.destroy() };
    } },
  ];
  // --order tinypool,piscina,ours runs them in another order (load drifts on a shared machine)
  const order = (arg('order') ?? 'ours,piscina,tinypool').split(',');
  makers.sort((a, b) => order.indexOf(a.name.split(' ')[0]) - order.indexOf(b.name.split(' ')[0]));
  const tasks = fanOut(n);
  console.log('== bench:pool');
  console.log(`machine   ${machine()}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`fan-out   ${tasks.length} K-Means tasks (k=2..10 x 10 restarts + 20 bootstrap fits x 9 k) on ${n} x ${dim}, ${workers} workers, median of ${repeats}`);
  let reference: number[] | null = null;
  for (const m of makers) {
    const t0 = performance.now();
    const pool = m.make();
    // warm-up: one task per worker (start-up measured separately)
    await Promise.all(tasks.slice(0, workers).map((t) => pool.run(t)));
    const startMs = performance.now() - t0;
    const times: number[] = [];
    const cpus: number[] = [];
    let inertias: number[] = [];
    for (let r = 0; r < repeats; r++) {
      const c0 = process.cpuUsage();
      const t1 = performance.now();
      const runs = await Promise.all(tasks.map((t) => pool.run(t)));
      times.push(performance.now() - t1);
      const c = process.cpuUsage(c0);
      cpus.push((c.user + c.system) / 1e6);
      inertias = runs.map((x) => x.inertia);
    }
    await pool.close();
    reference ??= inertias;
    const same = inertias.every((v, i) => v === reference![i]);
    const med = (a: number[]): number => [...a].sort((x, y) => x - y)[Math.floor(a.length / 2)];
    console.log(`${m.name.padEnd(28)} ${(med(times) / 1000).toFixed(2)} s wall per fan-out (runs ${times.map((t) => (t / 1000).toFixed(2)).join(', ')} s), ` +
      `${med(cpus).toFixed(2)} s CPU of all threads, start-up + warm-up ${startMs.toFixed(0)} ms, same inertias as the first pool: ${same}`);
  }
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
