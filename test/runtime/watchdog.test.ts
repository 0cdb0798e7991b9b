import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { runtime } from 'facetype';

const alive = runtime.processRunning;
const sleep = (ms: number): Promise<void> => new Promise((r) => setTimeout(r, ms));

test('descendants() walks a process table down from the roots', () => {
  const table = new Map([[10, 1], [11, 10], [12, 11], [13, 1], [14, 12]]);
  assert.deepEqual([...runtime.descendants(table, [10])].sort(), [11, 12, 14]);
  assert.deepEqual([...runtime.descendants(table, [13])], []);
});

test('startWatchdog(): kill -9 of the parent ends its children, even one in a session of its own (like a Jupyter kernel)', { timeout: 30_000 }, async () => {
  const lib = require.resolve('facetype');
  // the parent: starts its watchdog, then a grandchild in a new session (detached), and prints the PIDs
  const script = `
    const { spawn } = require('node:child_process');
    const { runtime } = require(${JSON.stringify(lib)});
    const dog = runtime.startWatchdog();
    const kernel = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { detached: true, stdio: 'ignore' });
    const plain = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], { stdio: 'ignore' });
    console.log(JSON.stringify({ dog, kernel: kernel.pid, plain: plain.pid }));
    setInterval(() => {}, 1000);`;
  const parent = spawn(process.execPath, ['-e', script], { stdio: ['ignore', 'pipe', 'inherit'] });
  const pids = await new Promise<{ dog: number; kernel: number; plain: number }>((resolve) => {
    parent.stdout.once('data', (d) => resolve(JSON.parse(String(d)) as { dog: number; kernel: number; plain: number }));
  });
  try {
    await sleep(1000); // a few polls: the watchdog has seen the children
    assert.ok(alive(pids.kernel) && alive(pids.plain) && alive(pids.dog));
    process.kill(parent.pid as number, 'SIGKILL');
    const t0 = Date.now();
    while ((alive(pids.kernel) || alive(pids.plain) || alive(pids.dog)) && Date.now() - t0 < 5000) await sleep(100);
    assert.equal(alive(pids.kernel), false, 'the detached child outlived its parent by 5 s');
    assert.equal(alive(pids.plain), false, 'the plain child outlived its parent by 5 s');
    assert.equal(alive(pids.dog), false, 'the watchdog did not exit');
    console.log(`# children ended ${Date.now() - t0} ms after kill -9 of their parent`);
  } finally {
    for (const p of [pids.kernel, pids.plain, pids.dog, parent.pid as number]) if (alive(p)) process.kill(p, 'SIGKILL');
  }
});
