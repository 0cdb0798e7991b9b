import { test } from 'node:test';
import assert from 'node:assert/strict';
import { runtime } from 'facetype';

/** The test handler module (compiled to build/test/support/echo-worker.js). */
const ECHO = require.resolve('../support/echo-worker');

test('WorkerPool.run() returns results from every worker and survives a crashing task', async () => {
  const pool = new runtime.WorkerPool<{ value?: number; crash?: boolean; fail?: string }, number>(ECHO, { workers: 2 });
  try {
    await pool.ready();
    const values = await Promise.all([1, 2, 3, 4, 5].map((v) => pool.run({ value: v })));
    assert.deepEqual(values, [1, 2, 3, 4, 5]);
    await assert.rejects(pool.run({ fail: 'bad photo' }), /bad photo/);
    await assert.rejects(pool.run({ crash: true }), runtime.WorkerCrashError);
    // the crashed worker was replaced: the pool still answers
    const after = await Promise.all([6, 7, 8].map((v) => pool.run({ value: v })));
    assert.deepEqual(after, [6, 7, 8]);
  } finally {
    await pool.close();
  }
});

test('runAll() keeps order-independent results and reports per-item errors', async () => {
  const pool = new runtime.WorkerPool<{ value?: number; fail?: string }, number>(ECHO, { workers: 2 });
  const seen = new Map<number, number | string>();
  try {
    await runtime.runAll(pool, [1, 2, 3, 4, 5, 6], (i) => (i === 4 ? { fail: 'four' } : { value: i * 10 }), (i, r, e) => {
      seen.set(i, e ? e.message : (r as number));
    });
  } finally {
    await pool.close();
  }
  assert.equal(seen.size, 6);
  assert.equal(seen.get(4), 'four');
  assert.equal(seen.get(6), 60);
});

test('new WorkerPool() rejects an invalid worker count', () => {
  assert.throws(() => new runtime.WorkerPool(ECHO, { workers: 0 }), /Expected integer in \[1, 64\] for workers but received 0 of type number/);
});
