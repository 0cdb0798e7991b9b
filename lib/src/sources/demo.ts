/**
 * The embedded demo: the six group photos (sample1.jpg .. sample6.jpg, 1920 px wide) that come with
 * the npm package @vladmandic/face-api. Every face of a photo is a candidate ('all').
 */
import * as fs from 'node:fs';
import * as path from 'node:path';
import { DataError } from '../validate';
import type { PhotoItem, PhotoSource } from './types';

/** File names of the demo photos. */
export const DEMO_PHOTOS: readonly string[] = ['sample1.jpg', 'sample2.jpg', 'sample3.jpg', 'sample4.jpg', 'sample5.jpg', 'sample6.jpg'];

const DEMO_PACKAGE = '@vladmandic/face-api';

/** The demo folder of @vladmandic/face-api, found through Node's module resolution. */
export function demoPhotosDir(): string {
  let pkg: string;
  try {
    pkg = require.resolve(`${DEMO_PACKAGE}/package.json`);
  } catch {
    throw new DataError(`the demo photos come with the npm package ${DEMO_PACKAGE}, which is not installed: run npm install`);
  }
  return path.join(path.dirname(pkg), 'demo');
}

/** The six demo group photos as a PhotoSource (kind 'demo', facesPerPhoto 'all'). */
export function demoSource(): PhotoSource {
  const root = demoPhotosDir();
  return {
    kind: 'demo',
    root,
    label: `demo group photos of ${DEMO_PACKAGE} in ${root}`,
    facesPerPhoto: 'all',
    async list(): Promise<PhotoItem[]> {
      return DEMO_PHOTOS.map((name) => {
        const item: PhotoItem = { id: name, path: path.join(root, name) };
        if (!fs.existsSync(item.path)) item.preReject = 'file missing';
        return item;
      });
    },
  };
}
