/**
 * Opening a source for the preparation: for WIKI, download and extract wiki_crop.tar first
 * (resumable, with progress); other sources open as they are.
 */
import { formatProgress as formatTransfer } from './download';
import { resolveSource } from './resolve';
import type { PhotoSource } from './types';
import { ensureWikiDownloaded, wikiSource } from './wiki';

export interface OpenSourceOptions {
  /** Folder of downloads (data/raw): WIKI's archive and its extraction. */
  rawDir: string;
  /** Where to download WIKI's archive from (default: the dataset's site). */
  wikiUrl?: string | null;
  /** Print download progress (default true). */
  progress?: boolean;
}

/** 'wiki' | 'demo' | a folder -> a ready PhotoSource (WIKI downloaded and extracted when needed). */
export async function openSource(spec: string, options: OpenSourceOptions): Promise<PhotoSource> {
  if (spec === 'wiki') {
    let last = 0;
    await ensureWikiDownloaded({
      rawDir: options.rawDir,
      url: options.wikiUrl ?? null,
      onProgress: options.progress === false ? null : (p) => {
        const now = Date.now();
        if (now - last > 2000) {
          last = now;
          console.log(formatTransfer(p));
        }
      },
    });
    return wikiSource({ rawDir: options.rawDir });
  }
  return resolveSource(spec, { wiki: { rawDir: options.rawDir } });
}
