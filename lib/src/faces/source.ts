/**
 * Opening a source for the preparation: for WIKI, download and extract wiki_crop.tar first
 * (resumable, with progress); other sources open as they are.
 */
import type { ProjectPaths } from '../config';
import { formatProgress as formatTransfer } from '../sources/download';
import { resolveSource } from '../sources/resolve';
import type { PhotoSource } from '../sources/types';
import { ensureWikiDownloaded, wikiSource } from '../sources/wiki';

export interface OpenSourceOptions {
  /** Print download progress (default true). */
  progress?: boolean;
}

/** 'wiki' | 'demo' | a folder -> a ready PhotoSource (WIKI downloaded and extracted when needed). */
export async function openSource(spec: string, paths: ProjectPaths, options: OpenSourceOptions = {}): Promise<PhotoSource> {
  if (spec === 'wiki') {
    let last = 0;
    await ensureWikiDownloaded({
      rawDir: paths.raw,
      onProgress: options.progress === false ? null : (p) => {
        const now = Date.now();
        if (now - last > 2000) {
          last = now;
          console.log(formatTransfer(p));
        }
      },
    });
    return wikiSource({ rawDir: paths.raw });
  }
  return resolveSource(spec, { wiki: { rawDir: paths.raw } });
}
