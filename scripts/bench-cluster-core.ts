/**
 * Benchmark of the core of the cluster stage: on 9,000 x 128 synthetic face-like data (6 Gaussian
 * blobs on the unit sphere plus 10% uniform noise), K-Means with 10 restarts and the silhouette
 * for every k = 2..10 (analyzeK without bootstrap), then the same with the euclidean silhouette,
 * then with 20 bootstrap fits for stability. Prints wall-clock seconds and peak RSS.
 *
 *   npx tsc -p tsconfig.test.json && node build/scripts/bench-cluster-core.js [--workers N] [--dump file.f64]
 *
 * `--dump` writes the data (float64, row-major, little-endian) so scikit-learn can be timed on
 * the same numbers (KMeans(n_clusters=k, n_init=10) + silhouette_score for k = 2..10).
 */
import * as fs from 'node:fs';
import { cluster } from 'facetype';

function arg(name: string): string | undefined {
  const i = process.argv.indexOf(name);
  return i >= 0 ? process.argv[i + 1] : undefined;
}

async function main(): Promise<void> {
  const workers = arg('--workers') !== undefined ? Number(arg('--workers')) : 0;
  const only = arg('--only');
  const { X } = cluster.makeBlobs({ n: 9000, centers: 6, dim: 128, std: 0.5, onSphere: true, noise: 0.1, seed: 7 });
  const dump = arg('--dump');
  if (dump) {
    fs.writeFileSync(dump, Buffer.from(X.data.buffer, X.data.byteOffset, X.data.byteLength));
    console.log(`wrote ${X.rows} x ${X.cols} float64 to ${dump}`);
  }
  const runs: { name: string; options: cluster.AnalyzeKOptions }[] = [
    { name: 'core: K-Means (10 restarts) + cosine silhouette, k=2..10', options: { metric: 'cosine', bootstrap: { samples: 0 } } },
    { name: 'core: K-Means (10 restarts) + euclidean silhouette, k=2..10', options: { metric: 'euclidean', bootstrap: { samples: 0 } } },
    { name: 'full: + stability (20 bootstrap fits of 80%, 3 restarts each)', options: { metric: 'cosine', bootstrap: { samples: 20, fraction: 0.8, nInit: 3 } } },
  ];
  console.log(`data 9000 x 128, WebAssembly SIMD kernel: ${cluster.wasmAvailable() ? 'yes' : 'no'}`);
  for (const [i, r] of runs.entries()) {
    if (only !== undefined && String(i) !== only) continue;
    const t0 = performance.now();
    const a = await cluster.analyzeK(X, { ...r.options, workers, seed: 42, nInit: 10, kMin: 2, kMax: 10 });
    const s = (performance.now() - t0) / 1000;
    const choice = cluster.chooseK(a);
    const t = a.timings;
    console.log(`${r.name}: ${s.toFixed(2)} s (workers ${a.workers}; kmeans ${(t.kmeans / 1000).toFixed(2)} s, silhouette ${(t.silhouette / 1000).toFixed(2)} s, DB+CH ${(t.otherMetrics / 1000).toFixed(2)} s, stability ${(t.stability / 1000).toFixed(2)} s)`);
    console.log(`  silhouettes ${a.scores.map((x) => `${x.k}:${x.silhouette.toFixed(3)}`).join(' ')}`);
    console.log(`  chosen ${choice.justification}`);
  }
  console.log(`peak RSS ${(process.resourceUsage().maxRSS / 1024).toFixed(0)} MB`);
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
