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

/**
 * Marks exact duplicates among the items not already pre-rejected (in place; items keep their
 * order) and returns how many were marked. Empty files are left to the decoder's reason.
 */
export async function markExactDuplicates(items: PhotoItem[]): Promise<number> {
  const bySize = new Map<number, PhotoItem[]>();
  for (const item of items) {
    if (item.preReject) continue;
    let size: number;
    try {
      size = (await fs.promises.stat(item.path)).size;
    } catch {
      continue;
    }
    if (size === 0) continue;
    const group = bySize.get(size);
    if (group) group.push(item);
    else bySize.set(size, [item]);
  }
  let marked = 0;
  for (const sameSize of bySize.values()) {
    if (sameSize.length < 2) continue;
    const links = new Set<PhotoItem>();
    for (const item of sameSize) if ((await fs.promises.lstat(item.path).catch(() => null))?.isSymbolicLink()) links.add(item);
    const group = [...sameSize.filter((i) => !links.has(i)), ...sameSize.filter((i) => links.has(i))];
    const firstByHash = new Map<string, string>();
    for (const item of group) {
      const h = await fileSha256(item.path);
      if (h === null) continue;
      const kept = firstByHash.get(h);
      if (kept === undefined) firstByHash.set(h, item.id);
      else {
        item.preReject = duplicateReason(kept);
        marked++;
      }
    }
  }
  return marked;
}
