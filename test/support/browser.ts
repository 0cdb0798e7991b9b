/**
 * Chromium for the browser tests: the Debian package (/usr/bin/chromium, or CHROMIUM_PATH) driven
 * by playwright-core; never a downloaded browser. Also the two page checks other tests reuse:
 * `screenshot()` (small palette PNGs for the README) and `checkStaticPage()` (every image of a
 * static HTML file loads and no request fails, offline).
 *
 * Functions passed to `page.evaluate()` run in the page: the tests compile without the DOM library,
 * so they read the page's globals through the small `PageGlobals` types below.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { pathToFileURL } from 'node:url';
import { chromium, type Browser, type Page } from 'playwright-core';
import sharp from 'sharp';

/** Flags for a headless Chromium without a sandbox (root in CI), GPU or calls home. */
export const CHROMIUM_ARGS = ['--no-sandbox', '--disable-background-networking', '--disable-component-update', '--disable-sync', '--disable-gpu', '--no-first-run'];

/** The Chromium to drive: CHROMIUM_PATH, else Debian's /usr/bin/chromium; null when absent. */
export function chromiumPath(): string | null {
  const p = process.env.CHROMIUM_PATH || '/usr/bin/chromium';
  return fs.existsSync(p) ? p : null;
}

/** Why the browser tests cannot run here, or null when they can. */
export function browserSkipReason(): string | null {
  if (chromiumPath()) return null;
  const where = process.env.CHROMIUM_PATH ? `CHROMIUM_PATH=${process.env.CHROMIUM_PATH}` : '/usr/bin/chromium';
  return `no Chromium at ${where} (apt-get install chromium, or set CHROMIUM_PATH)`;
}

export async function launchBrowser(): Promise<Browser> {
  const executablePath = chromiumPath();
  if (!executablePath) throw new Error(browserSkipReason() ?? 'no Chromium');
  return chromium.launch({ executablePath, args: CHROMIUM_ARGS, timeout: 60_000 });
}

// ---- the page's side, typed just enough ----

export interface PageElement {
  querySelector(selector: string): PageElement | null;
  querySelectorAll(selector: string): ArrayLike<PageElement>;
  closest(selector: string): PageElement | null;
  getAttribute(name: string): string | null;
  scrollIntoView(options?: { block?: 'start' | 'center' | 'end' | 'nearest' }): void;
  readonly textContent: string | null;
}

export interface PageImage extends PageElement {
  readonly naturalWidth: number;
  readonly complete: boolean;
  readonly currentSrc: string;
  loading: string;
  decode(): Promise<void>;
}

/** A Plotly graph div: Plotly keeps the figure's traces on it once drawn. */
export interface PlotlyElement extends PageElement {
  _fullData?: { type: string }[];
}

export interface PageGlobals {
  document: PageElement & { readyState: string };
  [key: string]: unknown;
}

/** What a page logged as errors while a test used it, for failure messages. */
export interface PageWatch {
  errors: string[];
  failedRequests: string[];
  /** A short summary of the above, or '' when nothing went wrong. */
  summary(): string;
}

/** Records a page's uncaught errors, console errors and failed requests. */
export function watchPage(page: Page): PageWatch {
  const errors: string[] = [];
  const failedRequests: string[] = [];
  const add = (list: string[], s: string) => {
    if (list.length < 50 && !list.includes(s)) list.push(s);
  };
  page.on('pageerror', (e) => add(errors, e.message.split('\n')[0]));
  page.on('console', (m) => {
    if (m.type() === 'error') add(errors, m.text().split('\n')[0].slice(0, 300));
  });
  page.on('requestfailed', (r) => add(failedRequests, `${r.url().slice(0, 200)} (${r.failure()?.errorText ?? 'failed'})`));
  return {
    errors,
    failedRequests,
    summary() {
      const parts: string[] = [];
      if (errors.length) parts.push(`page errors: ${errors.slice(0, 5).join(' | ')}`);
      if (failedRequests.length) parts.push(`failed requests: ${failedRequests.slice(0, 5).join(' | ')}`);
      return parts.join('; ');
    },
  };
}

// ---- screenshots ----

export interface ScreenshotOptions {
  /** Largest file accepted (default 400 KB): colours are reduced until the PNG fits. */
  maxBytes?: number;
}

/**
 * Saves what the page's viewport shows as a small PNG: a palette PNG (256 colours, then fewer
 * until it fits in maxBytes), which suits interface screenshots. Returns the file's size.
 */
export async function screenshot(page: Page, file: string, options: ScreenshotOptions = {}): Promise<{ file: string; bytes: number; width: number; height: number }> {
  const maxBytes = options.maxBytes ?? 400_000;
  const raw = await page.screenshot({ type: 'png', animations: 'disabled', caret: 'hide' });
  let png = raw;
  for (const colours of [256, 128, 64, 32]) {
    png = await sharp(raw).png({ palette: true, colours, compressionLevel: 9, effort: 10, dither: 0.5 }).toBuffer();
    if (png.length <= maxBytes) break;
  }
  if (png.length > maxBytes) throw new Error(`screenshot ${file} is ${png.length} bytes even with 32 colours: more than maxBytes=${maxBytes}`);
  const meta = await sharp(png).metadata();
  fs.mkdirSync(path.dirname(file), { recursive: true });
  fs.writeFileSync(file, png);
  return { file, bytes: png.length, width: meta.width ?? 0, height: meta.height ?? 0 };
}

// ---- static pages ----

export interface StaticPageOptions {
  /** A browser to reuse (default: one is launched and closed). */
  browser?: Browser;
  /**
   * External (http/https) URLs the page may reference, as prefixes or patterns. Every external
   * request is blocked (the page must work offline); those not allowed here count as failures.
   */
  allowExternal?: (string | RegExp)[];
  /** How long images may take to load (default 30 s). */
  timeoutMs?: number;
}

export interface StaticPageReport {
  /** Images in the page, all loaded. */
  images: number;
  /** Requests the page made (the page itself included). */
  requests: number;
  /** Allowed external requests that were blocked. */
  blockedExternal: string[];
}

/**
 * Opens a static HTML file in Chromium and throws unless every <img> loaded (naturalWidth > 0,
 * lazy ones included) and no request failed. External requests are blocked and fail the check
 * unless `allowExternal` lists them.
 */
export async function checkStaticPage(file: string, options: StaticPageOptions = {}): Promise<StaticPageReport> {
  if (!fs.existsSync(file)) throw new Error(`checkStaticPage: no file at ${file}`);
  const timeoutMs = options.timeoutMs ?? 30_000;
  const own = options.browser ? null : await launchBrowser();
  const browser = options.browser ?? own!;
  const context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
  try {
    const page = await context.newPage();
    const failed: string[] = [];
    const blockedExternal: string[] = [];
    let requests = 0;
    const allowed = (url: string) => (options.allowExternal ?? []).some((a) => (typeof a === 'string' ? url.startsWith(a) : a.test(url)));
    await page.route(/^(https?|wss?|ftp):/i, async (route) => {
      const url = route.request().url();
      if (allowed(url)) blockedExternal.push(url);
      else failed.push(`${url} (external request: the page must work offline)`);
      await route.abort('blockedbyclient');
    });
    page.on('request', () => requests++);
    page.on('requestfailed', (r) => {
      const url = r.url();
      if (/^(https?|wss?|ftp):/i.test(url)) return; // counted by the route above
      failed.push(`${url.slice(0, 200)} (${r.failure()?.errorText ?? 'failed'})`);
    });
    page.on('response', (r) => {
      if (r.status() >= 400) failed.push(`${r.url().slice(0, 200)} (HTTP ${r.status()})`);
    });
    await page.goto(pathToFileURL(path.resolve(file)).href, { waitUntil: 'load', timeout: timeoutMs });
    // Lazy images load only near the viewport: make them eager, then wait for every one to settle.
    const settled = await page.evaluate(async (ms: number) => {
      const { document } = globalThis as unknown as PageGlobals;
      const images = Array.from(document.querySelectorAll('img')) as PageImage[];
      for (const img of images) if (img.loading === 'lazy') img.loading = 'eager';
      const wait = (img: PageImage) => img.decode().catch(() => undefined);
      const all = Promise.all(images.map(wait)).then(() => true);
      const timeout = new Promise<boolean>((resolve) => setTimeout(() => resolve(false), ms));
      const done = await Promise.race([all, timeout]);
      return {
        done,
        total: images.length,
        broken: images.filter((img) => !(img.complete && img.naturalWidth > 0)).map((img) => (img.currentSrc || img.getAttribute('src') || '(no src)').slice(0, 120)),
      };
    }, timeoutMs);
    const problems: string[] = [];
    if (!settled.done) problems.push(`images still loading after ${timeoutMs / 1000} s`);
    if (settled.broken.length) problems.push(`${settled.broken.length} of ${settled.total} images did not load: ${settled.broken.slice(0, 10).join(', ')}`);
    if (failed.length) problems.push(`${failed.length} requests failed: ${failed.slice(0, 10).join(', ')}`);
    if (problems.length) throw new Error(`checkStaticPage(${file}): ${problems.join('; ')}`);
    return { images: settled.total, requests, blockedExternal };
  } finally {
    await context.close().catch(() => undefined);
    if (own) await own.close().catch(() => undefined);
  }
}
