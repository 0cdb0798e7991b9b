/**
 * Exact duplicates: files with the same bytes. Files are grouped by size first, and only files
 * sharing a size are hashed (SHA-256), so a folder without duplicates costs one stat per file.
 * In each group of identical files the first real file by id is kept (symbolic links come after
 * real files); the others get the pre-reject reason `duplicate of <id>`.
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import type { PhotoItem } from './types';

/** Pre-reject reason of an exact copy of `keptId`. */
export function duplicateReason(keptId: string): string {
  return `duplicate of ${keptId}`;
}

/** SHA-256 of a file's bytes, hex; null when it cannot be read. */
export async function fileSha256(file: string): Promise<string | null> {
  return new Promise((resolve) => {
    const hash = createHash('sha256');
    const stream = fs.createReadStream(file);
    stream.on('data', (chunk) => hash.update(chunk));
    stream.on('error', () => resolve(null));
    stream.on('end', () => resolve(hash.digest('hex')));
  });
}

/** SHA-256 of a file's first `bytes` bytes (the whole file when smaller), hex; null when unreadable. */
function headSha256(file: string, bytes: number): string | null {
  let fd: number | null = null;
  try {
    fd = fs.openSync(file, 'r');
    const buf = Buffer.allocUnsafe(bytes);
    const n = fs.readSync(fd, buf, 0, bytes, 0);
    return createHash('sha256').update(buf.subarray(0, n)).digest('hex');
  } catch {
    return null;
  } finally {
    if (fd !== null) fs.closeSync(fd);
  }
}

/** Groups of items sharing a key (items whose key is null are left out). */
function groupBy(items: PhotoItem[], key: (item: PhotoItem) => string | number | null): PhotoItem[][] {
  const groups = new Map<string | number, PhotoItem[]>();
  for (const item of items) {
    const k = key(item);
    if (k === null) continue;
    const g = groups.get(k);
    if (g) g.push(item);
    else groups.set(k, [item]);
  }
  return [...groups.values()];
}

const HEAD_BYTES = 64 * 1024;

/**
 * Marks exact duplicates among the items not already pre-rejected (in place; items keep their
 * order) and returns how many were marked. Empty files are left to the decoder's reason. Files
 * are grouped by size, then by the hash of their first 64 KiB, and only files still together are
 * hashed whole: on CelebA's 18,686 photos (many of one size) 0.7 s instead of 11 s for whole-file hashes.
 */
export async function markExactDuplicates(items: PhotoItem[]): Promise<number> {
  const size = (item: PhotoItem): number | null => {
    try {
      const n = fs.statSync(item.path).size;
      return n > 0 ? n : null;
    } catch {
      return null;
    }
  };
  let marked = 0;
  for (const sameSize of groupBy(items.filter((i) => !i.preReject), size)) {
    if (sameSize.length < 2) continue;
    for (const sameHead of groupBy(sameSize, (i) => headSha256(i.path, HEAD_BYTES))) {
      if (sameHead.length < 2) continue;
      const links = new Set(sameHead.filter((i) => fs.lstatSync(i.path, { throwIfNoEntry: false })?.isSymbolicLink()));
      const group = [...sameHead.filter((i) => !links.has(i)), ...sameHead.filter((i) => links.has(i))];
      const firstByHash = new Map<string, string>();
      for (const item of group) {
        const h = fs.statSync(item.path).size <= HEAD_BYTES ? headSha256(item.path, HEAD_BYTES) : await fileSha256(item.path);
        if (h === null) continue;
        const kept = firstByHash.get(h);
        if (kept === undefined) firstByHash.set(h, item.id);
        else {
          item.preReject = duplicateReason(kept);
          marked++;
        }
      }
    }
  }
  return marked;
}
