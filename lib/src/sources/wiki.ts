/**
 * The IMDB-WIKI "WIKI" faces-only dataset (wiki_crop.tar, about 62k photos of Wikipedia people):
 * its metadata (wiki.mat), the cheap metadata pre-filter, the download and extraction into
 * data/raw, and the PhotoSource over the extracted photos.
 *
 * Rothe, Timofte, Van Gool, "Deep expectation of real and apparent age from a single image without
 * facial landmarks", IJCV 2018. https://data.vision.ee.ethz.ch/cvl/rrothe/imdb-wiki/
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, InvalidParameterError, boolean, integerInRange, withDefaults } from '../validate';
import { writeFileAtomic } from '../io/atomic';
import { downloadFile, DownloadError, extractTar, type TransferProgress } from './download';
import { matCell, matField, matNumbers, matStrings, readMatFile, type MatValue } from './mat';
import type { PhotoItem, PhotoSource } from './types';

/** The dataset's official URL of the faces-only WIKI archive. */
export const WIKI_URL = 'https://data.vision.ee.ethz.ch/cvl/rrothe/imdb-wiki/static/wiki_crop.tar';

/** MATLAB serial date number of 1970-01-01. */
export const MATLAB_EPOCH_DATENUM = 719529;

const DAY_MS = 86400000;

/** One row of wiki.mat. */
export interface WikiRow {
  /** full_path as in the file, e.g. '17/10000217_1981-05-05_2009.jpg' (unique; the item id). */
  id: string;
  /** Absolute path of the photo (under the images root, beside wiki.mat by default). */
  path: string;
  /** Name of the person; null when the file has an empty name. */
  name: string | null;
  gender: 'male' | 'female' | null;
  /** Date of birth (ISO YYYY-MM-DD) from the MATLAB serial date number; null when missing or invalid. */
  dob: string | null;
  /** Year the photo was taken; null when missing. */
  photoTaken: number | null;
  /** Age at the photo, clamped to [0, 100]; null when dob or photoTaken is unknown. */
  age: number | null;
  /** True when the raw age was impossible (negative or over 100) and was clamped. */
  ageFlagged: boolean;
  /** Dataset's face detector score; -Infinity when it found no face. */
  faceScore: number;
  /** Score of a second face; null when there was none (NaN in the file). */
  secondFaceScore: number | null;
  /** Face box [x1, y1, x2, y2] in pixels of the photo (MATLAB 1-based coordinates), null when absent. */
  faceLocation: [number, number, number, number] | null;
}

/** ISO date (YYYY-MM-DD) of a MATLAB serial date number; null when not finite or outside years 1..9999. */
export function matlabDateToIso(datenum: number): string | null {
  if (typeof datenum !== 'number' || !Number.isFinite(datenum)) return null;
  const d = new Date((Math.floor(datenum) - MATLAB_EPOCH_DATENUM) * DAY_MS);
  const year = d.getUTCFullYear();
  if (!Number.isFinite(d.getTime()) || year < 1 || year > 9999) return null;
  return `${String(year).padStart(4, '0')}-${String(d.getUTCMonth() + 1).padStart(2, '0')}-${String(d.getUTCDate()).padStart(2, '0')}`;
}

/** MATLAB serial date number of a calendar date (proleptic Gregorian, like MATLAB's datenum). */
export function matlabDatenum(year: number, month: number, day: number): number {
  const d = new Date(0);
  d.setUTCFullYear(year, month - 1, day);
  return d.getTime() / DAY_MS + MATLAB_EPOCH_DATENUM;
}

/**
 * Age at the photo as the dataset authors compute it: the photo is assumed taken on 1 July of
 * `photoTaken`, and the age is the year part of datevec(datenum(photoTaken, 7, 1) - dob), i.e.
 * whole years lived (within a day of the exact count around birthdays). Clamped to [0, 100] with
 * `ageFlagged` when the raw age is outside that range; null when either input is unknown.
 */
export function wikiAge(dobDatenum: number, photoTaken: number): { age: number | null; ageFlagged: boolean } {
  if (matlabDateToIso(dobDatenum) === null || !Number.isFinite(photoTaken)) return { age: null, ageFlagged: false };
  const days = matlabDatenum(photoTaken, 7, 1) - Math.floor(dobDatenum);
  let raw: number;
  if (days <= 0) {
    raw = -1; // born after the photo was taken
  } else {
    // datevec of a day count: the year Y with datenum(Y, 1, 1) <= days, counted from year 0.
    const d = new Date((days - MATLAB_EPOCH_DATENUM) * DAY_MS);
    raw = d.getUTCFullYear();
  }
  if (raw < 0 || raw > 100) return { age: Math.min(100, Math.max(0, raw)), ageFlagged: true };
  return { age: raw, ageFlagged: false };
}

export interface WikiMetadataOptions {
  /** Folder the full_path values are relative to. Default: the folder of wiki.mat (as in wiki_crop/). */
  imagesRoot?: string | null;
  /** Name of the struct variable. Default: 'wiki', else 'imdb', else the only variable of the file. */
  variable?: string | null;
}

export const WIKI_METADATA_DEFAULTS: Required<WikiMetadataOptions> = { imagesRoot: null, variable: null };

const WIKI_FIELDS = ['dob', 'photo_taken', 'full_path', 'gender', 'name', 'face_location', 'face_score', 'second_face_score'] as const;

/**
 * Reads wiki.mat (or the IMDB part's imdb.mat, which has the same fields) into one row per photo,
 * in file order. Throws a DataError when the file is missing, not a MAT-file, or lacks a field.
 */
export function readWikiMetadata(matPath: string, options?: WikiMetadataOptions): WikiRow[] {
  if (typeof matPath !== 'string' || matPath.length === 0) throw new InvalidParameterError('matPath', 'path of wiki.mat', matPath);
  const opts = withDefaults('readWikiMetadata options', WIKI_METADATA_DEFAULTS, options);
  const file = readMatFile(matPath);
  let variable = opts.variable;
  if (variable === null) {
    variable = ['wiki', 'imdb'].find((v) => v in file.variables) ?? (file.names.length === 1 ? file.names[0] : null);
    if (variable === null) throw new DataError(`${matPath}: no 'wiki' struct (variables: ${file.names.join(', ') || 'none'})`);
  }
  if (!(variable in file.variables)) throw new DataError(`${matPath}: no variable '${variable}' (variables: ${file.names.join(', ') || 'none'})`);
  const root = file.variables[variable];
  const get = (f: (typeof WIKI_FIELDS)[number]): MatValue => matField(root, f, `${matPath}: ${variable}`);
  const dob = matNumbers(get('dob'), `${variable}.dob`);
  const n = dob.length;
  const photoTaken = matNumbers(get('photo_taken'), `${variable}.photo_taken`);
  const fullPath = matStrings(get('full_path'), `${variable}.full_path`);
  const gender = matNumbers(get('gender'), `${variable}.gender`);
  const name = matStrings(get('name'), `${variable}.name`);
  const location = matCell(get('face_location'), `${variable}.face_location`);
  const faceScore = matNumbers(get('face_score'), `${variable}.face_score`);
  const secondScore = matNumbers(get('second_face_score'), `${variable}.second_face_score`);
  const lengths: Record<string, number> = {
    photo_taken: photoTaken.length, full_path: fullPath.length, gender: gender.length, name: name.length,
    face_location: location.length, face_score: faceScore.length, second_face_score: secondScore.length,
  };
  for (const [field, len] of Object.entries(lengths)) {
    if (len !== n) throw new DataError(`${matPath}: ${variable}.${field} has ${len} entries but ${variable}.dob has ${n}`);
  }
  const imagesRoot = path.resolve(opts.imagesRoot ?? path.dirname(matPath));
  const rows: WikiRow[] = new Array(n);
  const fastJoin = path.sep === '/';
  for (let i = 0; i < n; i++) {
    const id = fullPath[i].replace(/\\/g, '/');
    const g = gender[i];
    const { age, ageFlagged } = wikiAge(dob[i], photoTaken[i]);
    const loc = location[i];
    const l = loc.type === 'numeric' && loc.data.length === 4 ? loc.data : null;
    rows[i] = {
      id,
      path: fastJoin ? imagesRoot + path.sep + id : path.join(imagesRoot, ...id.split('/')),
      name: name[i].length > 0 ? name[i] : null,
      gender: g === 1 ? 'male' : g === 0 ? 'female' : null,
      dob: matlabDateToIso(dob[i]),
      photoTaken: Number.isFinite(photoTaken[i]) ? photoTaken[i] : null,
      age,
      ageFlagged,
      faceScore: Number.isNaN(faceScore[i]) ? -Infinity : faceScore[i],
      secondFaceScore: Number.isNaN(secondScore[i]) ? null : secondScore[i],
      faceLocation: l ? [l[0], l[1], l[2], l[3]] : null,
    };
  }
  return rows;
}

// ---------------------------------------------------------------------------------------------
// The cheap metadata pre-filter (before any detector runs)

export interface WikiFilterOptions {
  /** Reject photos where the dataset's detector found no face (face_score -Inf). Default true. */
  rejectNoFace?: boolean;
  /**
   * Reject photos whose (finite) face_score is below this. Default 0, which rejects nothing more:
   * every WIKI photo with a face scores above 0.7, and our own detector judges quality later
   * (1.0 is the cut common in age-estimation work, if a stricter pre-filter is wanted).
   */
  minFaceScore?: number;
  /** Reject photos where the dataset found a second face (group photos, portraits with a poster). Default true. */
  rejectSecondFace?: boolean;
  /** A second face counts when its second_face_score is at least this. Default -Infinity: every recorded second face. */
  secondFaceMinScore?: number;
}

export const WIKI_FILTER_DEFAULTS: Required<WikiFilterOptions> = {
  rejectNoFace: true,
  minFaceScore: 0,
  rejectSecondFace: true,
  secondFaceMinScore: -Infinity,
};

/** Pre-reject reasons (stable strings, so they can be counted). */
export const WIKI_REJECT_NO_FACE = 'no face (dataset face_score -inf)';
export const WIKI_REJECT_FILE_MISSING = 'file missing';

function checkFilterOptions(options: WikiFilterOptions | undefined): Required<WikiFilterOptions> {
  const opts = withDefaults('wiki filter options', WIKI_FILTER_DEFAULTS, options);
  boolean('rejectNoFace', opts.rejectNoFace);
  boolean('rejectSecondFace', opts.rejectSecondFace);
  if (typeof opts.minFaceScore !== 'number' || Number.isNaN(opts.minFaceScore)) {
    throw new InvalidParameterError('minFaceScore', 'number', opts.minFaceScore);
  }
  if (typeof opts.secondFaceMinScore !== 'number' || Number.isNaN(opts.secondFaceMinScore)) {
    throw new InvalidParameterError('secondFaceMinScore', 'number', opts.secondFaceMinScore);
  }
  return opts;
}

function rejecter(opts: Required<WikiFilterOptions>): (row: WikiRow) => string | null {
  const weak = `weak face (dataset face_score < ${opts.minFaceScore})`;
  const second = opts.secondFaceMinScore === -Infinity
    ? 'second face (dataset second_face_score present)'
    : `second face (dataset second_face_score >= ${opts.secondFaceMinScore})`;
  return (row) => {
    if (row.faceScore === -Infinity) return opts.rejectNoFace ? WIKI_REJECT_NO_FACE : null;
    if (row.faceScore < opts.minFaceScore) return weak;
    if (opts.rejectSecondFace && row.secondFaceScore !== null && row.secondFaceScore >= opts.secondFaceMinScore) return second;
    return null;
  };
}

/** The pre-reject reason of one row, or null when the metadata does not rule it out. */
export function wikiPreReject(row: WikiRow, options?: WikiFilterOptions): string | null {
  return rejecter(checkFilterOptions(options))(row);
}

export interface WikiPrefilterResult {
  /** One reason per row (null = kept), in row order. */
  reasons: (string | null)[];
  /** Rows rejected, by reason. */
  counts: Record<string, number>;
  kept: number;
  total: number;
}

/** Applies the pre-filter to every row and counts the rejections by reason. */
export function prefilterWiki(rows: WikiRow[], options?: WikiFilterOptions): WikiPrefilterResult {
  const reject = rejecter(checkFilterOptions(options));
  const reasons = rows.map(reject);
  const counts: Record<string, number> = {};
  let kept = 0;
  for (const r of reasons) {
    if (r === null) kept++;
    else counts[r] = (counts[r] ?? 0) + 1;
  }
  return { reasons, counts, kept, total: rows.length };
}

// ---------------------------------------------------------------------------------------------
// Download and extraction

export interface WikiLocationOptions {
  /** Folder of downloads (wiki_crop.tar and its extraction): the run's data/raw (required). */
  rawDir?: string | null;
}

export interface WikiDownloadOptions extends WikiLocationOptions {
  /** Archive URL. Default: FACETYPE_WIKI_URL, else the official WIKI_URL. */
  url?: string | null;
  /** Expected archive size in bytes; null (default) trusts the server's Content-Length. */
  expectedBytes?: number | null;
  /** Retries after a failed try. Default 5. */
  retries?: number;
  /** First backoff delay, doubled per failure. Default 1000 ms. */
  retryDelayMs?: number;
  /** A try fails when no data arrives for this long. Default 60000 ms. */
  timeoutMs?: number;
  /** Progress of the download and of the extraction (print formatProgress(p)). */
  onProgress?: ((progress: TransferProgress) => void) | null;
  /** Default 500 ms. */
  progressIntervalMs?: number;
}

export const WIKI_DOWNLOAD_DEFAULTS: Required<WikiDownloadOptions> = {
  rawDir: null,
  url: null,
  expectedBytes: null,
  retries: 5,
  retryDelayMs: 1000,
  timeoutMs: 60000,
  onProgress: null,
  progressIntervalMs: 500,
};

export interface WikiPaths {
  rawDir: string;
  /** data/raw/wiki_crop.tar */
  tar: string;
  /** data/raw/wiki_crop (the photos, in folders 00..99) */
  root: string;
  /** data/raw/wiki_crop/wiki.mat */
  mat: string;
  /** Marker written after a complete extraction. */
  marker: string;
}

/** Where the WIKI archive, photos and metadata live. */
export function wikiPaths(options?: WikiLocationOptions): WikiPaths {
  const opts = withDefaults('wikiPaths options', { rawDir: null } as Required<WikiLocationOptions>, options);
  if (typeof opts.rawDir !== 'string' || opts.rawDir === '') {
    throw new InvalidParameterError('rawDir', "the folder of downloads (the run config's paths.raw)", opts.rawDir);
  }
  const rawDir = path.resolve(opts.rawDir);
  const root = path.join(rawDir, 'wiki_crop');
  return {
    rawDir,
    tar: path.join(rawDir, 'wiki_crop.tar'),
    root,
    mat: path.join(root, 'wiki.mat'),
    marker: path.join(root, '.facetype-extracted.json'),
  };
}

export interface WikiDownloadResult extends WikiPaths {
  /** True when the archive was fetched (or resumed) in this call. */
  downloaded: boolean;
  /** True when the archive was extracted in this call. */
  extracted: boolean;
  /** Archive entries extracted (null when extraction was skipped). */
  entries: number | null;
}

/**
 * Makes sure the WIKI photos are in data/raw/wiki_crop: downloads wiki_crop.tar (resuming a partial
 * download; a tar put at data/raw/wiki_crop.tar by hand is used as it is), then extracts it. Work
 * already done is skipped (a marker file records a complete extraction). Errors say how to get the
 * archive by hand when the download fails (for example offline).
 */
export async function ensureWikiDownloaded(options?: WikiDownloadOptions): Promise<WikiDownloadResult> {
  const opts = withDefaults('ensureWikiDownloaded options', WIKI_DOWNLOAD_DEFAULTS, options);
  const paths = wikiPaths({ rawDir: opts.rawDir });
  const url = opts.url ?? WIKI_URL;
  if (opts.expectedBytes !== null) integerInRange('expectedBytes', opts.expectedBytes, 1);

  const tarThere = fs.existsSync(paths.tar);
  if (fs.existsSync(paths.mat) && (fs.existsSync(paths.marker) || !tarThere)) {
    // Extracted earlier (marker), or a wiki_crop folder put there by hand without the archive.
    return { ...paths, downloaded: false, extracted: false, entries: null };
  }
  let downloaded = false;
  try {
    const r = await downloadFile(url, paths.tar, {
      expectedBytes: opts.expectedBytes,
      retries: opts.retries,
      retryDelayMs: opts.retryDelayMs,
      timeoutMs: opts.timeoutMs,
      onProgress: opts.onProgress,
      progressIntervalMs: opts.progressIntervalMs,
    });
    downloaded = r.downloaded;
  } catch (err) {
    if (err instanceof DownloadError) {
      throw new DownloadError(err.url, `${err.reason}; download it yourself and put it at ${paths.tar}, or use FACETYPE_SOURCE=<folder>`);
    }
    throw err;
  }
  const { entries } = await extractTar(paths.tar, paths.rawDir, { onProgress: opts.onProgress, progressIntervalMs: opts.progressIntervalMs });
  if (!fs.existsSync(paths.mat)) {
    throw new DataError(`${paths.tar} has no wiki_crop/wiki.mat: is it the WIKI faces-only archive (wiki_crop.tar)?`);
  }
  writeFileAtomic(paths.marker, JSON.stringify({ archive: paths.tar, bytes: fs.statSync(paths.tar).size, entries, extractedAt: new Date().toISOString() }, null, 2));
  return { ...paths, downloaded, extracted: true, entries };
}

// ---------------------------------------------------------------------------------------------
// The source

export interface WikiSourceOptions extends WikiFilterOptions, WikiLocationOptions {
  /** Folder of the photos. Default: <rawDir>/wiki_crop. */
  root?: string | null;
  /** The metadata file. Default: <root>/wiki.mat. */
  matPath?: string | null;
}

export const WIKI_SOURCE_DEFAULTS: Required<WikiSourceOptions> = {
  ...WIKI_FILTER_DEFAULTS,
  rawDir: null,
  root: null,
  matPath: null,
};

/** Names of the files in each folder the rows point into (one readdir per folder, not one stat per photo). */
function presentFiles(rows: WikiRow[]): Set<string> {
  const dirs = new Set(rows.map((r) => path.dirname(r.path)));
  const present = new Set<string>();
  for (const dir of dirs) {
    let names: string[];
    try {
      names = fs.readdirSync(dir);
    } catch {
      continue; // a missing or unreadable folder: its photos are 'file missing'
    }
    for (const name of names) present.add(path.join(dir, name));
  }
  return present;
}

/**
 * The WIKI photos as a PhotoSource (one face per photo). Items carry the metadata and the
 * pre-filter's reason; photos listed in wiki.mat but missing on disk get preReject 'file missing'.
 * list() throws a DataError when wiki.mat is not there (run ensureWikiDownloaded() first).
 */
export function wikiSource(options?: WikiSourceOptions): PhotoSource {
  const opts = withDefaults('wikiSource options', WIKI_SOURCE_DEFAULTS, options);
  const filter = checkFilterOptions({
    rejectNoFace: opts.rejectNoFace, minFaceScore: opts.minFaceScore,
    rejectSecondFace: opts.rejectSecondFace, secondFaceMinScore: opts.secondFaceMinScore,
  });
  // rawDir is only needed for the default root: a given root stands on its own
  const root = path.resolve(opts.root ?? wikiPaths({ rawDir: opts.rawDir }).root);
  const matPath = path.resolve(opts.matPath ?? path.join(root, 'wiki.mat'));
  return {
    kind: 'wiki',
    root,
    label: `WIKI (IMDB-WIKI faces) in ${root}`,
    facesPerPhoto: 'single',
    async list(): Promise<PhotoItem[]> {
      if (!fs.existsSync(matPath)) {
        throw new DataError(
          `WIKI metadata ${matPath} not found: run sources.ensureWikiDownloaded() first (it downloads and extracts wiki_crop.tar), or use FACETYPE_SOURCE=<folder>`,
        );
      }
      const rows = readWikiMetadata(matPath, { imagesRoot: root });
      const present = presentFiles(rows);
      const reject = rejecter(filter);
      const seen = new Set<string>();
      const items: PhotoItem[] = [];
      for (const row of rows) {
        if (seen.has(row.id)) continue; // ids are unique in the real file; keep the first if not
        seen.add(row.id);
        const item: PhotoItem = {
          id: row.id,
          path: row.path,
          meta: {
            name: row.name, gender: row.gender, dob: row.dob, photoTaken: row.photoTaken, age: row.age,
            ageFlagged: row.ageFlagged, faceScore: row.faceScore, secondFaceScore: row.secondFaceScore,
            faceLocation: row.faceLocation,
          },
        };
        const reason = present.has(row.path) ? reject(row) : WIKI_REJECT_FILE_MISSING;
        if (reason !== null) item.preReject = reason;
        items.push(item);
      }
      items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      return items;
    },
  };
}
