/**
 * npm run bench:libraries: our K-Means and DBSCAN against the design card's packages, the
 * figures behind the README's speed claims.
 *
 * Data: face-like synthetic descriptors (Gaussian blobs on the unit sphere plus 10% uniform noise,
 * as bench:cluster-core), 9,000 x 128 for K-Means and the first 3,000 rows for DBSCAN; K-Means
 * also on overlapping blobs (std 1.2, 20% noise), closer to real descriptors.
 * K-Means: k = 6, 10 k-means++ restarts each (ml-kmeans has no nInit: 10 seeded runs, lowest
 * inertia kept), one thread. DBSCAN: minSamples 5, eps from the knee of the 4-distance curve.
 * Every figure is the median of --repeats runs (default 3), in CPU time of this thread (robust
 * on a loaded machine) and wall-clock time. Prints the times, the ratio, the
 * inertias and the agreement (ARI); asserts nothing.
 *
 *   npm run bench:libraries -- [--n 9000] [--dim 128] [--dbscan-n 3000] [--repeats 3]
 */
import * as os from 'node:os';
import { cluster } from 'facetype';
import { arg, machine } from './bench-common';

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.floor(s.length / 2)];
}

/** Median CPU time of this thread (user + system; the runs are single-threaded) and wall-clock time. */
function timed<T>(repeats: number, f: () => T): { value: T; ms: number; wallMs: number } {
  let value!: T;
  const cpu: number[] = [];
  const wall: number[] = [];
  for (let r = 0; r < repeats; r++) {
    const c0 = process.cpuUsage();
    const t0 = performance.now();
    value = f();
    wall.push(performance.now() - t0);
    const c = process.cpuUsage(c0);
    cpu.push((c.user + c.system) / 1000);
  }
  return { value, ms: median(cpu), wallMs: median(wall) };
}

const secs = (t: { ms: number; wallMs: number }): string => `${(t.ms / 1000).toFixed(2)} s CPU (${(t.wallMs / 1000).toFixed(2)} s wall)`;

function main(): void {
  const n = Number(arg('n') ?? 9000);
  const dim = Number(arg('dim') ?? 128);
  const dbN = Number(arg('dbscan-n') ?? 3000);
  const repeats = Number(arg('repeats') ?? 3);
  const k = 6, nInit = 10, seed = 42, minSamples = 5;
  const { X } = cluster.makeBlobs({ n, centers: 6, dim, std: 0.5, onSphere: true, noise: 0.1, seed: 7 });
  const rows = cluster.toRows(X);
  console.log('== bench:libraries');
  console.log(`machine   ${machine()}, load average ${os.loadavg().map((v) => v.toFixed(1)).join(' ')}`);
  console.log(`data      ${n} x ${dim} face-like blobs on the sphere (+10% noise); median of ${repeats} runs; WASM kernel ${cluster.wasmAvailable() ? 'on' : 'off'}`);

  // face descriptors overlap far more than separated blobs: K-Means needs many more iterations
  const overlapping = cluster.makeBlobs({ n, centers: 6, dim, std: 1.2, onSphere: true, noise: 0.2, seed: 7 }).X;
  for (const [name, data] of [['separated', X], ['overlapping', overlapping]] as const) {
    const dataRows = data === X ? rows : cluster.toRows(data);
    const ours = timed(repeats, () => cluster.kmeans(data, { k, nInit, seed }));
    const ml = timed(repeats, () => cluster.mlKmeansBest(dataRows, k, nInit, seed));
    const mlInertia = cluster.inertiaOfLabels(data, ml.value.labels);
    const ourInertia = cluster.inertiaOfLabels(data, ours.value.labels);
    console.log(`K-Means   ${name} blobs, k=${k}, ${nInit} restarts: ours ${secs(ours)}, ml-kmeans ${secs(ml)} -> ml-kmeans takes ${(ml.ms / ours.ms).toFixed(1)}x the CPU time (${(ml.wallMs / ours.wallMs).toFixed(1)}x wall)`);
    console.log(`          inertia ours ${ourInertia.toFixed(2)}, ml-kmeans ${mlInertia.toFixed(2)} (${((100 * (mlInertia - ourInertia)) / ourInertia).toFixed(2)}%), ARI ${cluster.adjustedRandIndex(ours.value.labels, ml.value.labels).toFixed(3)}, iterations of the best restart ${ours.value.nIter}`);
  }

  const sub = cluster.selectRows(X, Int32Array.from({ length: Math.min(dbN, n) }, (_, i) => i));
  const eps = cluster.suggestEps(cluster.kDistances(sub, minSamples - 1)).eps;
  const subRows = cluster.toRows(sub);
  const db = timed(repeats, () => cluster.dbscan(sub, { eps, minSamples }));
  const dc = timed(repeats, () => cluster.densityDbscan(subRows, eps, minSamples));
  console.log(`DBSCAN    ${sub.rows} points, eps ${eps.toFixed(3)}, minSamples ${minSamples}: ours ${secs(db)}, density-clustering ${secs(dc)} -> density-clustering takes ${(dc.ms / db.ms).toFixed(1)}x the CPU time (${(dc.wallMs / db.wallMs).toFixed(1)}x wall)`);
  console.log(`          clusters ours ${db.value.nClusters} (${(100 * db.value.noiseShare).toFixed(1)}% noise), ARI with density-clustering ${cluster.adjustedRandIndex(db.value.labels, dc.value).toFixed(3)}`);
}

main();
