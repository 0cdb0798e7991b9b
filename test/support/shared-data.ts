/**
 * Where the team's read-only shared data is: `../shared` beside the project (as on developer
 * machines and in CI), or FACETYPE_SHARED. Tests that need it skip with this reason when absent.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { projectRoot } from 'facetype';

export function sharedDir(): string {
  return path.resolve(process.env.FACETYPE_SHARED ?? path.join(projectRoot(), '..', 'shared'));
}

/** The real IMDB-WIKI wiki.mat. */
export const WIKI_MAT = path.join(sharedDir(), 'data', 'wiki', 'wiki.mat');

/** false when wiki.mat is there, else the reason to skip (for `test(name, { skip }, fn)`). */
export const wikiMatMissing: false | string = fs.existsSync(WIKI_MAT)
  ? false
  : `the real wiki.mat is absent (looked for ${WIKI_MAT}; set FACETYPE_SHARED to the shared folder)`;
