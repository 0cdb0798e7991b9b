/**
 * Any folder of photos as a PhotoSource: recursive, read-only, stable order.
 *
 * Every file is an item, so nothing disappears silently: files that cannot be photos get a
 * preReject reason (`not an image file (.txt)`), and so do hidden files and folders, broken
 * symlinks, symlink loops, special files (FIFOs would block a reader) and unreadable subfolders.
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError, InvalidParameterError, boolean, oneOf, withDefaults } from '../validate';
import { markExactDuplicates } from './duplicates';
import type { FacesPerPhoto, PhotoItem, PhotoSource } from './types';

/** Extensions of image files (lower case, with the dot); matched case-insensitively. */
export const IMAGE_EXTENSIONS: readonly string[] = [
  '.jpg', '.jpeg', '.png', '.webp', '.gif', '.tif', '.tiff', '.avif', '.heic', '.heif', '.bmp',
];

/** Reasons of hidden entries (name starting with '.') when includeHidden is false. */
export const HIDDEN_FILE_REASON = "hidden file (name starts with '.'; not read)";
export const HIDDEN_FOLDER_REASON = "hidden folder (name starts with '.'; not searched)";

export interface FolderSourceOptions {
  /** Read files and folders whose name starts with '.' as photos. Default false: they are listed with a reason. */
  includeHidden?: boolean;
  /** Follow symbolic links to files and folders (loops are detected). Default true. */
  followSymlinks?: boolean;
  /** 'single' (portraits, one face per photo) or 'all' (group photos). Default 'single'. */
  facesPerPhoto?: FacesPerPhoto;
  /** Mark byte-identical copies `duplicate of <first id>` (only the first is used). Default true. */
  exactDuplicates?: boolean;
}

export const FOLDER_DEFAULTS: Required<FolderSourceOptions> = {
  includeHidden: false,
  followSymlinks: true,
  facesPerPhoto: 'single',
  exactDuplicates: true,
};

/** Extension (lower case, with the dot) of a file name, '' when it has none. */
function extensionOf(name: string): string {
  return path.extname(name).toLowerCase();
}

/** True when the file name has one of the IMAGE_EXTENSIONS (any case). */
export function isImageFileName(name: string): boolean {
  return IMAGE_EXTENSIONS.includes(extensionOf(name));
}

/** Pre-reject reason for a file name that is not an image ('not an image file (.txt)'), else null. */
export function nonImageReason(name: string): string | null {
  const ext = extensionOf(name);
  if (IMAGE_EXTENSIONS.includes(ext)) return null;
  return `not an image file (${ext || 'no extension'})`;
}

function code(err: unknown): string {
  return (err as NodeJS.ErrnoException)?.code ?? String((err as Error)?.message ?? err);
}

function typeName(st: fs.Stats | fs.Dirent): string {
  if (st.isFIFO()) return 'fifo';
  if (st.isSocket()) return 'socket';
  if (st.isCharacterDevice()) return 'character device';
  if (st.isBlockDevice()) return 'block device';
  return 'unknown type';
}

/** Checks that dir is an existing folder; returns its absolute path. */
function checkFolder(dir: unknown, param: string): string {
  if (typeof dir !== 'string' || dir.length === 0) throw new InvalidParameterError(param, 'path of a folder of photos', dir);
  const abs = path.resolve(dir);
  let st: fs.Stats;
  try {
    st = fs.statSync(abs);
  } catch (err) {
    if (code(err) === 'ENOENT') throw new DataError(`folder of photos ${abs} does not exist`);
    throw new DataError(`folder of photos ${abs} cannot be read: ${(err as Error).message}`);
  }
  if (!st.isDirectory()) throw new DataError(`${abs} is a file, not a folder of photos`);
  return abs;
}

/**
 * Lists `dir` recursively (see the module comment). Ids are paths relative to `dir` with '/'
 * separators, sorted by UTF-16 code units (locale-independent, stable). Never writes to the folder.
 * Throws a DataError when `dir` does not exist or is a file (checked now, and again by list()).
 */
export function folderSource(dir: string, options?: FolderSourceOptions): PhotoSource {
  const opts = withDefaults('folderSource options', FOLDER_DEFAULTS, options);
  boolean('includeHidden', opts.includeHidden);
  boolean('followSymlinks', opts.followSymlinks);
  boolean('exactDuplicates', opts.exactDuplicates);
  oneOf('facesPerPhoto', opts.facesPerPhoto, ['single', 'all'] as const);
  const root = checkFolder(dir, 'dir');
  return {
    kind: 'folder',
    root,
    label: `folder ${root}`,
    facesPerPhoto: opts.facesPerPhoto,
    async list(): Promise<PhotoItem[]> {
      checkFolder(root, 'dir');
      const items = await listFolder(root, opts);
      items.sort((a, b) => (a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
      if (opts.exactDuplicates) await markExactDuplicates(items);
      return items;
    },
  };
}

async function exists(file: string): Promise<boolean> {
  try {
    await fs.promises.lstat(file);
    return true;
  } catch {
    return false;
  }
}

async function listFolder(root: string, opts: Required<FolderSourceOptions>): Promise<PhotoItem[]> {
  const items: PhotoItem[] = [];
  const visited = new Set<string>();
  const rootReal = await fs.promises.realpath(root);
  visited.add(rootReal);
  const deferred: { abs: string; id: string; real: string; ancestors: string[] }[] = [];

  const walk = async (absDir: string, relDir: string, ancestors: string[]): Promise<void> => {
    let entries: fs.Dirent[];
    try {
      entries = await fs.promises.readdir(absDir, { withFileTypes: true });
    } catch (err) {
      if (relDir === '') throw new DataError(`could not read folder of photos ${root}: ${(err as Error).message}`);
      items.push({ id: relDir, path: absDir, preReject: `unreadable folder (${code(err)})` });
      return;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0)); // readdir order varies by file system
    for (const entry of entries) {
      const name = entry.name;
      const abs = path.join(absDir, name);
      const id = relDir === '' ? name : `${relDir}/${name}`;
      if (!opts.includeHidden && name.startsWith('.')) {
        // listed, not read: hidden files are often system files (.DS_Store, ._photo.jpg)
        items.push({ id, path: abs, preReject: entry.isDirectory() ? HIDDEN_FOLDER_REASON : HIDDEN_FILE_REASON });
        continue;
      }
      if (name.includes('\ufffd') && !(await exists(abs))) {
        // A name that is not valid UTF-8 comes back with U+FFFD and cannot be opened by that name.
        items.push({ id, path: abs, preReject: 'file name is not valid UTF-8' });
        continue;
      }
      let st: fs.Stats | fs.Dirent = entry;
      const isLink = entry.isSymbolicLink();
      if (isLink) {
        if (!opts.followSymlinks) {
          items.push({ id, path: abs, preReject: 'symbolic link (not followed)' });
          continue;
        }
        try {
          st = await fs.promises.stat(abs);
        } catch (err) {
          const c = code(err);
          const reason = c === 'ENOENT' ? 'broken symlink (target missing)' : c === 'ELOOP' ? 'symlink loop' : `unreadable symlink (${c})`;
          items.push({ id, path: abs, preReject: reason });
          continue;
        }
      } else if (!entry.isFile() && !entry.isDirectory()) {
        try {
          st = await fs.promises.lstat(abs); // file systems that do not report the type in readdir
        } catch (err) {
          items.push({ id, path: abs, preReject: `unreadable (${code(err)})` });
          continue;
        }
      }
      if (st.isDirectory()) {
        let real: string;
        try {
          real = await fs.promises.realpath(abs);
        } catch (err) {
          items.push({ id, path: abs, preReject: `unreadable folder (${code(err)})` });
          continue;
        }
        if (ancestors.includes(real)) {
          items.push({ id, path: abs, preReject: 'symlink loop (links back to an enclosing folder)' });
          continue;
        }
        if (isLink) {
          // Linked folders come after the real tree, so a folder is listed under its real path.
          deferred.push({ abs, id, real, ancestors });
          continue;
        }
        if (visited.has(real)) {
          items.push({ id, path: abs, preReject: 'symlink to a folder already listed' });
          continue;
        }
        visited.add(real);
        await walk(abs, id, [...ancestors, real]);
      } else if (st.isFile()) {
        const item: PhotoItem = { id, path: abs };
        const reason = nonImageReason(name);
        if (reason !== null) item.preReject = reason;
        items.push(item);
      } else {
        items.push({ id, path: abs, preReject: `not a regular file (${typeName(st)})` });
      }
    }
  };
  await walk(root, '', [rootReal]);
  for (let i = 0; i < deferred.length; i++) {
    const { abs, id, real, ancestors } = deferred[i];
    if (visited.has(real)) {
      items.push({ id, path: abs, preReject: 'symlink to a folder already listed' });
      continue;
    }
    visited.add(real);
    await walk(abs, id, [...ancestors, real]);
  }
  return items;
}

/**
 * The first image file (by extension, not hidden) found under `dir`, searching breadth-first and
 * stopping at the first one; null when there is none. A cheap check that a folder can be a source.
 */
export function findImageFile(dir: string, maxEntries = 1_000_000): string | null {
  const queue = [path.resolve(dir)];
  const seen = new Set<string>();
  let visited = 0;
  while (queue.length) {
    const current = queue.shift() as string;
    let real: string;
    try {
      real = fs.realpathSync(current);
    } catch {
      continue;
    }
    if (seen.has(real)) continue;
    seen.add(real);
    let entries: fs.Dirent[];
    try {
      entries = fs.readdirSync(current, { withFileTypes: true });
    } catch {
      continue;
    }
    entries.sort((a, b) => (a.name < b.name ? -1 : a.name > b.name ? 1 : 0));
    for (const e of entries) {
      if (++visited > maxEntries) return null;
      if (e.name.startsWith('.')) continue;
      const abs = path.join(current, e.name);
      let st: fs.Stats;
      try {
        st = fs.statSync(abs);
      } catch {
        continue;
      }
      if (st.isDirectory()) queue.push(abs);
      else if (st.isFile() && isImageFileName(e.name) && st.size > 0) return abs;
    }
  }
  return null;
}
