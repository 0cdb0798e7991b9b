/**
 * Writes that a reader never sees half done: a file is written beside its target under a name of
 * this process, then renamed over it (a rename within one folder is atomic on POSIX file systems);
 * a folder is built beside its target, then swapped in. An interrupted run leaves the old version
 * (and at worst a stray temporary), never a torn one.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';

/** The temporary name of `target` for this process (same folder, so the rename stays atomic). */
export function temporaryPath(target: string, tag = 'tmp'): string {
  return path.join(path.dirname(target), `.${path.basename(target)}.${process.pid}.${tag}`);
}

/** Writes `data` to `file` atomically (see module comment). */
export function writeFileAtomic(file: string, data: string | NodeJS.ArrayBufferView): void {
  const tmp = temporaryPath(file);
  try {
    fs.writeFileSync(tmp, data);
    fs.renameSync(tmp, file);
  } catch (e) {
    fs.rmSync(tmp, { force: true });
    throw e;
  }
}

/** Writes lines to `file` atomically, one call of `write` per line (large files without one big string). */
export function writeLinesAtomic(file: string, lines: Iterable<string>): void {
  const tmp = temporaryPath(file);
  const fd = fs.openSync(tmp, 'w');
  try {
    for (const line of lines) fs.writeSync(fd, line + '\n');
  } finally {
    fs.closeSync(fd);
  }
  fs.renameSync(tmp, file);
}

/**
 * Builds a folder with `fill(dir)` in a fresh temporary folder beside `target`, then swaps it in
 * place of `target` (the old one is removed afterwards).
 */
export function replaceDirAtomic<T>(target: string, fill: (dir: string) => T): T {
  fs.mkdirSync(path.dirname(target), { recursive: true });
  const fresh = temporaryPath(target, 'new');
  fs.rmSync(fresh, { recursive: true, force: true });
  fs.mkdirSync(fresh);
  let out: T;
  try {
    out = fill(fresh);
  } catch (e) {
    fs.rmSync(fresh, { recursive: true, force: true });
    throw e;
  }
  const old = temporaryPath(target, 'old');
  fs.rmSync(old, { recursive: true, force: true });
  if (fs.existsSync(target)) fs.renameSync(target, old);
  fs.renameSync(fresh, target);
  fs.rmSync(old, { recursive: true, force: true });
  return out;
}

/** Hard-links `src` at `dst`, copying where links are not possible (another device, no support). */
export function linkOrCopy(src: string, dst: string): void {
  try {
    fs.linkSync(src, dst);
  } catch {
    fs.copyFileSync(src, dst);
  }
}
