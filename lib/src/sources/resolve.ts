/**
 * From a source name to a PhotoSource, and a summary of what a source holds.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { InvalidParameterError, withDefaults } from '../validate';
import { demoSource } from './demo';
import { folderSource, type FolderSourceOptions } from './folder';
import type { PhotoItem, PhotoSource, SourceSummary } from './types';
import { wikiSource, type WikiSourceOptions } from './wiki';

export interface ResolveSourceOptions {
  /** Options of the WIKI source (pre-filter thresholds, rawDir...). */
  wiki?: WikiSourceOptions;
  /** Options of a folder source. */
  folder?: FolderSourceOptions;
  /** Folder a relative folder path is resolved against. Default: the current directory. */
  cwd?: string | null;
}

export const RESOLVE_DEFAULTS: Required<ResolveSourceOptions> = { wiki: {}, folder: {}, cwd: null };

const EXPECTED = "'wiki', 'demo' or the path of a folder of photos";

/**
 * 'wiki' -> the WIKI dataset, 'demo' -> the demo group photos, anything else -> the folder at that
 * path (absolute, or relative to the current directory; write './wiki' for a folder named wiki).
 * Throws an InvalidParameterError naming `source` for anything else.
 */
export function resolveSource(spec: string, options?: ResolveSourceOptions): PhotoSource {
  const opts = withDefaults('resolveSource options', RESOLVE_DEFAULTS, options);
  if (typeof spec !== 'string' || spec.trim().length === 0) throw new InvalidParameterError('source', EXPECTED, spec);
  if (spec === 'wiki') return wikiSource(opts.wiki);
  if (spec === 'demo') return demoSource();
  const abs = path.resolve(opts.cwd ?? process.cwd(), spec);
  let st: fs.Stats | null = null;
  try {
    st = fs.statSync(abs);
  } catch {
    st = null;
  }
  if (st === null) throw new InvalidParameterError('source', `${EXPECTED} (nothing at ${abs})`, spec);
  if (!st.isDirectory()) throw new InvalidParameterError('source', `${EXPECTED} (${abs} is a file)`, spec);
  return folderSource(abs, opts.folder);
}

/**
 * Counts of a source: photos, pre-rejections by reason (sorted by count, most first) and the
 * candidates left for the preparation. Pass `items` when already listed to avoid listing again.
 */
export async function summarizeSource(source: PhotoSource, items?: PhotoItem[]): Promise<SourceSummary> {
  if (!source || typeof source.list !== 'function') throw new InvalidParameterError('source', 'a PhotoSource', source);
  const list = items ?? (await source.list());
  const counts = new Map<string, number>();
  for (const item of list) if (item.preReject) counts.set(item.preReject, (counts.get(item.preReject) ?? 0) + 1);
  const preRejected: Record<string, number> = {};
  let rejected = 0;
  for (const [reason, n] of [...counts].sort((a, b) => b[1] - a[1] || (a[0] < b[0] ? -1 : 1))) {
    preRejected[reason] = n;
    rejected += n;
  }
  return {
    kind: source.kind,
    label: source.label,
    root: source.root,
    photos: list.length,
    preRejected,
    candidates: list.length - rejected,
    facesPerPhoto: source.facesPerPhoto,
  };
}
