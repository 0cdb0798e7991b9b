/**
 * What an output was made from: a stamp file beside the outputs holding the SHA-256 of each
 * input file (and of the settings), so that a reader can tell outputs of different runs apart.
 *
 *   writeStamp(averagesDir, { 'clusters.csv': clustersCsv }, { seed: 42 });
 *   stampMismatch(averagesDir, { 'clusters.csv': clustersCsv })   // null, or what changed
 */
import { createHash } from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import { writeFileAtomic } from './atomic';

export const STAMP_FILE = 'made-from.json';

export interface Stamp {
  /** Input name -> SHA-256 of its bytes (null when it did not exist). */
  inputs: Record<string, string | null>;
  /** SHA-256 of the settings' JSON. */
  settings: string;
}

function sha256(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/** The stamp of these input files and settings. */
export function makeStamp(inputs: Record<string, string>, settings: unknown = {}): Stamp {
  const out: Record<string, string | null> = {};
  for (const [name, file] of Object.entries(inputs)) out[name] = fs.existsSync(file) ? sha256(fs.readFileSync(file)) : null;
  return { inputs: out, settings: sha256(JSON.stringify(settings ?? {})) };
}

/** Writes the stamp into `dir` (made-from.json). */
export function writeStamp(dir: string, inputs: Record<string, string>, settings: unknown = {}): Stamp {
  const stamp = makeStamp(inputs, settings);
  fs.mkdirSync(dir, { recursive: true });
  writeFileAtomic(path.join(dir, STAMP_FILE), JSON.stringify(stamp, null, 1) + '\n');
  return stamp;
}

/** The stamp in `dir`, or null when there is none (outputs of a version that did not stamp). */
export function readStamp(dir: string): Stamp | null {
  try {
    return JSON.parse(fs.readFileSync(path.join(dir, STAMP_FILE), 'utf8')) as Stamp;
  } catch {
    return null;
  }
}

/**
 * Null when the outputs in `dir` were made from these very inputs; else which inputs changed
 * ('clusters.csv changed'), or 'no record of its inputs' when `dir` has no stamp.
 */
export function stampMismatch(dir: string, inputs: Record<string, string>): string | null {
  const stamp = readStamp(dir);
  if (!stamp) return 'no record of its inputs';
  const now = makeStamp(inputs);
  const changed = Object.keys(inputs).filter((k) => stamp.inputs[k] !== now.inputs[k]);
  return changed.length ? `${changed.join(', ')} changed since` : null;
}
