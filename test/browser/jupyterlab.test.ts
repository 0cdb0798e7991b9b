/**
 * The notebooks as a reader sees them: executed headless on the demo source, opened in a real
 * JupyterLab in Chromium (untrusted, as after a fresh checkout), their Plotly charts and PNG sheets
 * checked in the DOM; notebook 01 run again in the browser with Run All; the HTML exports checked
 * as static pages. With FACETYPE_SCREENSHOTS=1 it also refreshes the README's screenshots in docs/.
 *
 * Module resolution: tslab resolves `from "facetype"` (its TypeScript check and Node's require)
 * from the notebook's folder upwards, and NODE_PATH does not reach the type check. The Lab's root
 * is a temporary folder holding a `node_modules` link to the project's, `executed/` (the headless
 * runs) and `run/` (fresh copies of the project's notebooks for Run All), so nothing is written
 * inside the repository.
 */
import { describe, test, before, after } from 'node:test';
import assert from 'node:assert/strict';
import * as fs from 'node:fs';
import * as os from 'node:os';
import * as path from 'node:path';
import { errors, type Browser, type Page } from 'playwright-core';
import { projectRoot, report, runtime, stages } from 'facetype';
import * as jupyter from 'facetype/dist/cli/jupyter';
import { browserSkipReason, checkStaticPage, launchBrowser, screenshot, watchPage, type PageElement, type PageGlobals, type PageWatch, type PlotlyElement, type PageImage } from '../support/browser';
import { linkNodeModules, startLab, type Lab } from '../support/lab';

/**
 * The notebooks checked, in pipeline order (each reads what the one before wrote). Each is
 * executed headless and opened executed in the Lab; `runAll` ones are also run in the browser.
 * Those not (yet) in notebooks/ are left out.
 */
const NOTEBOOKS: { file: string; runAll?: boolean }[] = [
  { file: '01_data_preparation.ipynb', runAll: true },
  { file: '02_clustering.ipynb' },
  { file: '03_average_face.ipynb' },
].filter((n) => fs.existsSync(path.join(projectRoot(), 'notebooks', n.file)));

const SCREENSHOTS = process.env.FACETYPE_SCREENSHOTS === '1';
const PLOTLY_MIME = 'application/vnd.plotly.v1+json';
const OPEN_TIMEOUT_MS = 60_000;
const RENDER_TIMEOUT_MS = 60_000;
const RUN_ALL_TIMEOUT_MS = 150_000;

const skip = browserSkipReason() ?? jupyter.notebookSkipReason();
if (skip) console.log(`# skipping browser test: ${skip}`);

// ---- what JupyterLab exposes in the page (window.jupyterapp), typed just enough ----

interface CellModel {
  type: string;
  trusted: boolean;
  executionCount?: number | null;
  outputs?: { toJSON(): { output_type: string; name?: string; text?: string | string[]; data?: Record<string, unknown> }[] };
}

interface NotebookWidget {
  id: string;
  node: PageElement;
  context?: { path: string; isReady: boolean };
  sessionContext?: { session?: { kernel?: { status: string } | null } | null };
  content?: { model?: { cells: Iterable<CellModel> } | null };
}

interface LabGlobals extends PageGlobals {
  jupyterapp?: {
    shell: { currentWidget: NotebookWidget | null; collapseLeft(): void; collapseRight(): void };
    commands: { execute(id: string, args?: unknown): Promise<unknown> };
  };
  facetypeRunAll?: { ok?: unknown; error?: string } | null;
}

/** Chart and image outputs a notebook file holds (an image inside a chart output is the chart's snapshot). */
function expectedOutputs(file: string): { charts: number; images: number } {
  const nb = JSON.parse(fs.readFileSync(file, 'utf8')) as { cells: { outputs?: { data?: Record<string, unknown> }[] }[] };
  let charts = 0;
  let images = 0;
  for (const cell of nb.cells) {
    for (const o of cell.outputs ?? []) {
      if (!o.data) continue;
      if (PLOTLY_MIME in o.data) charts++;
      else if ('image/png' in o.data) images++;
    }
  }
  return { charts, images };
}

/** Waits for fn to hold in the page; on timeout throws explain()'s message plus the page's errors. */
async function waitInPage<A extends string | number | undefined>(page: Page, watch: PageWatch, fn: (arg: A) => unknown, arg: A, timeoutMs: number, explain: () => Promise<string>): Promise<void> {
  try {
    await page.waitForFunction(fn as (arg: unknown) => unknown, arg as unknown, { timeout: timeoutMs, polling: 250 });
  } catch (e) {
    if (!(e instanceof errors.TimeoutError)) throw e;
    const why = watch.summary();
    throw new Error((await explain()) + (why ? ` (${why})` : ''));
  }
}

/** Opens `file` (relative to the Lab's root) in a fresh workspace and waits until its notebook is loaded. */
async function openNotebook(lab: Lab, page: Page, watch: PageWatch, file: string): Promise<void> {
  await page.goto(lab.url(file), { timeout: OPEN_TIMEOUT_MS });
  await waitInPage(page, watch, (f: string) => {
    const w = (globalThis as unknown as LabGlobals).jupyterapp?.shell.currentWidget;
    return w?.context?.path === f && w.context.isReady && !!w.content?.model;
  }, file, OPEN_TIMEOUT_MS, async () => `JupyterLab did not open ${file} within ${OPEN_TIMEOUT_MS / 1000} s (is window.jupyterapp exposed? LabApp.expose_app_in_browser)`);
}

/** Plotly charts in the open notebook: all of them, and those drawn (SVG plus SVG or WebGL traces). */
async function chartState(page: Page): Promise<{ found: number; drawn: number; traces: number[] }> {
  return page.evaluate(() => {
    const node = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.node;
    const plots = Array.from(node.querySelectorAll('.js-plotly-plot')) as PlotlyElement[];
    const traces = plots.map((p) => p.querySelectorAll('.trace, .bars, .hm').length + p.querySelectorAll('.gl-container canvas').length);
    const drawn = plots.filter((p, i) => p.querySelector('.main-svg') && (p._fullData?.length ?? 0) > 0 && traces[i] > 0);
    return { found: plots.length, drawn: drawn.length, traces };
  });
}

async function waitForCharts(page: Page, watch: PageWatch, expected: number, where: string): Promise<void> {
  await waitInPage(page, watch, (n: number) => {
    const node = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.node;
    const plots = Array.from(node.querySelectorAll('.js-plotly-plot')) as PlotlyElement[];
    return plots.filter((p) => p.querySelector('.main-svg') && (p._fullData?.length ?? 0) > 0 && p.querySelector('.trace, .bars, .hm, .gl-container canvas')).length >= n;
  }, expected, RENDER_TIMEOUT_MS, async () => {
    const s = await chartState(page);
    return `Plotly charts did not render within ${RENDER_TIMEOUT_MS / 1000} s in ${where}: found ${s.drawn} of ${expected} drawn (${s.found} chart elements, traces per chart ${JSON.stringify(s.traces)}; is the jupyterlab-plotly extension installed? jupyter labextension list)`;
  });
}

async function imageState(page: Page): Promise<{ found: number; loaded: number }> {
  return page.evaluate(() => {
    const node = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.node;
    const images = Array.from(node.querySelectorAll('.jp-RenderedImage img')) as PageImage[];
    return { found: images.length, loaded: images.filter((i) => i.complete && i.naturalWidth > 0).length };
  });
}

describe('JupyterLab in Chromium', { skip: skip ?? false }, () => {
  let tmp = '';
  let root = '';
  let lab: Lab | null = null;
  let browser: Browser | null = null;
  const executed = new Map<string, { ipynb: string; html: string | null }>();
  let reportFile = '';
  const timings: string[] = [];

  before(async () => {
    tmp = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-browser-'));
    root = path.join(tmp, 'lab');
    fs.mkdirSync(path.join(root, 'executed'), { recursive: true });
    fs.mkdirSync(path.join(root, 'run'), { recursive: true });
    linkNodeModules(root);
    const t0 = Date.now();
    // The Lab and Chromium start while the notebooks run headless.
    const labStarting = startLab({
      root,
      env: { FACETYPE_SOURCE: 'demo', FACETYPE_DATA: path.join(tmp, 'data-lab'), FACETYPE_REPORTS: path.join(tmp, 'reports-lab'), FACETYPE_KEEP: '9000' },
    }).then((l) => {
      timings.push(`lab up ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      return l;
    });
    const browserStarting = launchBrowser();
    const executing = (async () => {
      for (const nb of NOTEBOOKS) {
        const r = await jupyter.executeNotebook(path.join(projectRoot(), 'notebooks', nb.file), {
          outDir: path.join(tmp, 'executed'),
          env: { FACETYPE_SOURCE: 'demo', FACETYPE_DATA: path.join(tmp, 'data'), FACETYPE_REPORTS: path.join(tmp, 'reports'), FACETYPE_KEEP: '9000' },
          html: true,
        });
        timings.push(`${nb.file} headless ${r.seconds.toFixed(1)} s`);
        fs.copyFileSync(r.executed, path.join(root, 'executed', nb.file));
        if (nb.runAll) fs.copyFileSync(path.join(projectRoot(), 'notebooks', nb.file), path.join(root, 'run', nb.file));
        executed.set(nb.file, { ipynb: path.join(root, 'executed', nb.file), html: r.html });
      }
      // the shareable report from the same run (it also makes the HTML exports work offline)
      if (NOTEBOOKS.length === 3) reportFile = await report.buildReport({ dataDir: path.join(tmp, 'data'), reportsDir: path.join(tmp, 'executed') });
    })();
    const [l, b, x] = await Promise.allSettled([labStarting, browserStarting, executing]);
    if (l.status === 'fulfilled') lab = l.value;
    if (b.status === 'fulfilled') browser = b.value;
    for (const s of [x, l, b]) if (s.status === 'rejected') throw s.reason;
  }, { timeout: 300_000 });

  after(async () => {
    await browser?.close().catch(() => undefined);
    await lab?.stop();
    if (tmp) fs.rmSync(tmp, { recursive: true, force: true });
    if (timings.length) console.log(`# browser test timings: ${timings.join(', ')}`);
  });

  for (const nb of NOTEBOOKS) {
    test(`JupyterLab shows the executed ${nb.file} untrusted, with every Plotly chart drawn and every PNG image loaded`, { timeout: 150_000 }, async () => {
      const t0 = Date.now();
      const file = `executed/${nb.file}`;
      const expected = expectedOutputs(executed.get(nb.file)!.ipynb);
      assert.ok(expected.charts + expected.images > 0, `${nb.file} has neither charts nor images to check`);
      const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        const watch = watchPage(page);
        await openNotebook(lab!, page, watch, file);
        // Untrusted: the Lab sanitises HTML outputs and runs no scripts; the Plotly mime renderer must still draw.
        const trust = await page.evaluate(() => {
          const w = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!;
          const code = [...w.content!.model!.cells].filter((c) => c.type === 'code');
          return { code: code.length, trusted: code.filter((c) => c.trusted).length };
        });
        assert.ok(trust.code > 0 && trust.trusted === 0, `expected an untrusted notebook, but ${trust.trusted} of ${trust.code} code cells are trusted`);
        await waitForCharts(page, watch, expected.charts, file);
        const charts = await chartState(page);
        assert.equal(charts.found, expected.charts, `${charts.found} chart elements for ${expected.charts} chart outputs`);
        await waitInPage(page, watch, (n: number) => {
          const node = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.node;
          return (Array.from(node.querySelectorAll('.jp-RenderedImage img')) as PageImage[]).filter((i) => i.complete && i.naturalWidth > 0).length >= n;
        }, expected.images, RENDER_TIMEOUT_MS, async () => {
          const s = await imageState(page);
          return `PNG images did not show within ${RENDER_TIMEOUT_MS / 1000} s in ${file}: ${s.loaded} of ${expected.images} loaded (${s.found} img elements)`;
        });
        const images = await imageState(page);
        assert.equal(images.found, expected.images, `${images.found} img elements for ${expected.images} PNG outputs`);
        timings.push(`${nb.file} open+render ${((Date.now() - t0) / 1000).toFixed(1)} s (${charts.found} charts, ${images.found} images)`);
      } finally {
        await context.close();
        await lab!.shutdownKernels().catch(() => undefined);
      }
    });
  }

  for (const nb of NOTEBOOKS.filter((n) => n.runAll)) {
    test(`Run All on ${nb.file} in JupyterLab executes every cell on the demo source without an error`, { timeout: RUN_ALL_TIMEOUT_MS + 60_000 }, async () => {
      const t0 = Date.now();
      const file = `run/${nb.file}`;
      const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
      try {
        const page = await context.newPage();
        const watch = watchPage(page);
        await openNotebook(lab!, page, watch, file);
        const kernelStatus = () => page.evaluate(() => (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.sessionContext?.session?.kernel?.status ?? 'no kernel');
        await waitInPage(page, watch, () => (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.sessionContext?.session?.kernel?.status === 'idle', undefined, OPEN_TIMEOUT_MS,
          async () => `the tslab kernel of ${file} was not idle within ${OPEN_TIMEOUT_MS / 1000} s (status: ${await kernelStatus()})`);
        // Clear outputs (and execution counts) first, so every count seen afterwards comes from this run.
        await page.evaluate(async () => {
          const g = globalThis as unknown as LabGlobals;
          const app = g.jupyterapp!;
          await app.commands.execute('notebook:clear-all-cell-outputs');
          g.facetypeRunAll = null;
          void app.commands.execute('notebook:run-all-cells').then((ok) => (g.facetypeRunAll = { ok }), (e: unknown) => (g.facetypeRunAll = { error: String(e) }));
        });
        const progress = () => page.evaluate(() => {
          const w = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!;
          const code = [...w.content!.model!.cells].filter((c) => c.type === 'code');
          return { code: code.length, executed: code.filter((c) => typeof c.executionCount === 'number').length, kernel: w.sessionContext?.session?.kernel?.status ?? 'no kernel' };
        });
        await waitInPage(page, watch, () => !!(globalThis as unknown as LabGlobals).facetypeRunAll, undefined, RUN_ALL_TIMEOUT_MS, async () => {
          const p = await progress();
          return `Run All on ${file} did not finish within ${RUN_ALL_TIMEOUT_MS / 1000} s: ${p.executed} of ${p.code} code cells executed, kernel ${p.kernel}`;
        });
        await waitInPage(page, watch, () => (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.sessionContext?.session?.kernel?.status === 'idle', undefined, 10_000,
          async () => `the kernel of ${file} did not go idle after Run All (status: ${await kernelStatus()})`);
        const outcome = await page.evaluate(() => {
          const g = globalThis as unknown as LabGlobals;
          const w = g.jupyterapp!.shell.currentWidget!;
          const code = [...w.content!.model!.cells].filter((c) => c.type === 'code');
          const written: string[] = [];
          let charts = 0;
          for (const c of code) {
            for (const o of c.outputs?.toJSON() ?? []) {
              const text = Array.isArray(o.text) ? o.text.join('') : o.text ?? '';
              if (o.output_type === 'error' || (o.output_type === 'stream' && o.name === 'stderr')) written.push(`${o.output_type}: ${text.slice(0, 500)}`);
              if (o.data && 'application/vnd.plotly.v1+json' in o.data) charts++;
            }
          }
          // What the reader sees: tslab prints compile and runtime errors to stderr.
          const shown = (Array.from(w.node.querySelectorAll('.jp-OutputArea-output[data-mime-type="application/vnd.jupyter.stderr"]')) as PageElement[])
            .map((e) => e.textContent ?? '').filter((t) => /error/i.test(t)).map((t) => t.slice(0, 500));
          const first = code[0]?.outputs?.toJSON().map((o) => JSON.stringify(o.data ?? o.text ?? '')).join('') ?? '';
          return { result: g.facetypeRunAll, counts: code.map((c) => c.executionCount ?? null), written, shown, charts, first };
        });
        assert.deepEqual(outcome.written, [], `Run All on ${file} wrote errors`);
        assert.deepEqual(outcome.shown, [], `Run All on ${file} shows error output`);
        assert.deepEqual(outcome.result, { ok: true }, `Run All on ${file} did not succeed`);
        assert.ok(outcome.counts.every((n) => typeof n === 'number'), `code cells without an execution count after Run All: ${JSON.stringify(outcome.counts)}`);
        // The kernel inherited the Lab's environment: the first cell shows the run's configuration.
        if (nb.file.startsWith('01_')) {
          assert.match(outcome.first, /demo/, 'the kernel did not get FACETYPE_SOURCE=demo');
          assert.ok(outcome.first.includes(path.join(tmp, 'data-lab')), `the kernel did not get FACETYPE_DATA: ${outcome.first.slice(0, 300)}`);
        }
        await waitForCharts(page, watch, outcome.charts, `${file} after Run All`);
        timings.push(`${nb.file} Run All ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      } finally {
        await context.close();
        await lab!.shutdownKernels().catch(() => undefined);
      }
    });
  }

  test('screenshot() saves small PNGs of the demo notebook for the README (docs/ only with FACETYPE_SCREENSHOTS=1)', { timeout: 120_000 }, async () => {
    const nb = NOTEBOOKS[0].file;
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      const watch = watchPage(page);
      await openNotebook(lab!, page, watch, `executed/${nb}`);
      await page.evaluate(() => {
        const shell = (globalThis as unknown as LabGlobals).jupyterapp!.shell;
        shell.collapseLeft();
        shell.collapseRight();
      });
      const expected = expectedOutputs(executed.get(nb)!.ipynb);
      await waitForCharts(page, watch, expected.charts, nb);
      // A settled status bar ("TypeScript | Idle") reads better than "Connecting".
      await waitInPage(page, watch, () => (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.sessionContext?.session?.kernel?.status === 'idle', undefined, OPEN_TIMEOUT_MS,
        async () => `the kernel of ${nb} was not idle within ${OPEN_TIMEOUT_MS / 1000} s`);
      const shots: [string, string, number][] = [
        // A chart of the run (the second, the pose scatter, when there is one) ...
        ['notebook.png', '.js-plotly-plot', 1],
        // ... and the contact sheet of kept demo faces.
        ['faces.png', '.jp-RenderedImage', 0],
      ];
      for (const [name, selector, index] of shots) {
        // Scroll until the element stays put: charts and images above may still be settling.
        const shown = await page.evaluate(async ([sel, i]) => {
          const node = (globalThis as unknown as LabGlobals).jupyterapp!.shell.currentWidget!.node;
          const all = Array.from(node.querySelectorAll(sel)) as (PageElement & { getBoundingClientRect(): { top: number } })[];
          const el = all[Math.min(i, all.length - 1)];
          if (!el) return false;
          let last = NaN;
          for (let k = 0; k < 25; k++) {
            el.scrollIntoView({ block: 'center' });
            await new Promise((r) => setTimeout(r, 200));
            const top = el.getBoundingClientRect().top;
            if (top === last) break;
            last = top;
          }
          return true;
        }, [selector, index] as const);
        assert.ok(shown, `nothing matches ${selector} in ${nb} for ${name}`);
        const out = SCREENSHOTS ? path.join(projectRoot(), 'docs', name) : path.join(tmp, 'shots', name);
        const r = await screenshot(page, out);
        assert.ok(r.bytes < 400_000 && r.width === 1280 && r.height === 800, JSON.stringify(r));
        timings.push(`${name} ${Math.round(r.bytes / 1024)} KB${SCREENSHOTS ? ' (written to docs/)' : ''}`);
      }
    } finally {
      await context.close();
      await lab!.shutdownKernels().catch(() => undefined);
    }
  });

  test('reports/index.html loads offline in Chromium: every image loads, no request fails, the charts draw', { skip: NOTEBOOKS.length < 3 ? 'needs the three notebooks' : false, timeout: 120_000 }, async () => {
    assert.ok(reportFile, 'the report was not built');
    const r = await checkStaticPage(reportFile, { browser: browser! });
    const clusters = JSON.parse(fs.readFileSync(path.join(tmp, 'data', 'processed', 'clusters.json'), 'utf8')) as { k: number };
    assert.ok(r.images >= clusters.k + 1, `${r.images} images for k=${clusters.k} averages and the global one`);
    const context = await browser!.newContext({ viewport: { width: 1280, height: 800 } });
    try {
      const page = await context.newPage();
      await page.goto('file://' + reportFile);
      await page.waitForFunction(() => (globalThis as unknown as { document: { querySelectorAll(s: string): ArrayLike<unknown> } }).document.querySelectorAll('.chart .main-svg').length >= 5, undefined, { timeout: 30_000 });
      if (SCREENSHOTS) {
        await page.evaluate(() => (globalThis as unknown as { document: { querySelector(s: string): { scrollIntoView(): void } } }).document.querySelector('.cluster')!.scrollIntoView());
        const shot = await screenshot(page, path.join(projectRoot(), 'docs', 'report.png'));
        timings.push(`report.png ${Math.round(shot.bytes / 1024)} KB (written to docs/)`);
      }
    } finally {
      await context.close();
    }
  });

  test('checkStaticPage() passes the HTML exports of the executed notebooks offline: every image loads, no request fails', { timeout: 120_000 }, async () => {
    for (const nb of NOTEBOOKS) {
      const html = executed.get(nb.file)!.html!;
      const r = await checkStaticPage(html, {
        browser: browser!,
        // before the report step makes them offline, nbconvert's exports ask a CDN for require.js and MathJax
        allowExternal: NOTEBOOKS.length === 3 ? [] : [/^https:\/\/cdnjs\.cloudflare\.com\/ajax\/libs\/(require\.js|mathjax)\//],
      });
      const expected = expectedOutputs(executed.get(nb.file)!.ipynb);
      assert.ok(r.images >= expected.images, `${r.images} images in ${path.basename(html)} for ${expected.images} PNG outputs`);
    }
  });
});

const browserSkip = browserSkipReason();
test('checkStaticPage() names the images that did not load and the requests that failed', { skip: browserSkip ?? false, timeout: 60_000 }, async () => {
  const dir = fs.mkdtempSync(path.join(os.tmpdir(), 'facetype-static-'));
  try {
    const png = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mP8z8DwHwAFBQIAX8jx0gAAAABJRU5ErkJggg==';
    const good = path.join(dir, 'good.html');
    fs.writeFileSync(good, `<!doctype html><p>ok</p><img src="data:image/png;base64,${png}"><img loading="lazy" style="margin-top:3000px" src="data:image/png;base64,${png}">`);
    assert.deepEqual(await checkStaticPage(good), { images: 2, requests: 1, blockedExternal: [] });
    const bad = path.join(dir, 'bad.html');
    fs.writeFileSync(bad, `<!doctype html><img src="data:image/png;base64,${png}"><img src="missing.png"><script src="gone.js"></script><link rel="stylesheet" href="https://example.com/x.css">`);
    await assert.rejects(checkStaticPage(bad), (e: Error) => {
      assert.match(e.message, /1 of 2 images did not load: file:\/\/.*missing\.png/);
      assert.match(e.message, /gone\.js \(net::ERR_FILE_NOT_FOUND\)/);
      assert.match(e.message, /https:\/\/example\.com\/x\.css \(external request: the page must work offline\)/);
      return true;
    });
    await assert.rejects(checkStaticPage(path.join(dir, 'nothing.html')), /checkStaticPage: no file at .*nothing\.html/);
  } finally {
    fs.rmSync(dir, { recursive: true, force: true });
  }
});
