/**
 * The manifest: one row per candidate (a face, or a photo without a usable face) with every
 * measure, the source's metadata, the 68 landmarks in crop coordinates and, for rejected ones,
 * the reason. Written as data/processed/manifest.csv.
 */
import * as fs from 'node:fs';
import { formatCsv, parseCsv, type CsvValue } from '../io/csv';
import { writeFileAtomic } from '../io/atomic';
import type { Verdict } from './filter';

export const MANIFEST_COLUMNS = [
  'photo', 'face', 'status', 'step', 'reason', 'rank', 'quality', 'file',
  'width', 'height', 'format', 'bytes', 'notes', 'n_faces',
  'detector', 'det_score', 'mesh_score', 'box_x', 'box_y', 'box_w', 'box_h', 'eye_distance',
  'yaw', 'pitch', 'roll', 'sharpness', 'blur', 'brightness', 'contrast', 'colorfulness', 'grayscale', 'off_tone', 'eye_brightness', 'inside', 'outside',
  'name', 'gender', 'dob', 'photo_taken', 'age', 'age_flagged', 'face_score', 'second_face_score',
  'path', 'landmarks68',
] as const;

export type ManifestRow = Record<(typeof MANIFEST_COLUMNS)[number], CsvValue>;

/** Rows of the manifest, in source order. */
export function manifestRows(verdicts: Verdict[], kept: Verdict[]): ManifestRow[] {
  const rank = new Map<Verdict, number>();
  kept.forEach((v, i) => rank.set(v, i));
  return verdicts.map((v) => {
    const f = v.face;
    const info = v.photo?.info ?? {};
    const m = v.item.meta ?? {};
    const r = rank.get(v);
    return {
      photo: v.item.id,
      face: f ? f.index : null,
      status: v.step === null ? 'kept' : 'rejected',
      step: v.step ?? 'kept',
      reason: v.reason,
      rank: r ?? null,
      quality: v.quality !== null ? Math.round(v.quality * 10000) / 10000 : null,
      file: r !== undefined && f ? f.crop : null,
      width: info.width, height: info.height, format: info.format, bytes: info.bytes,
      notes: v.photo?.notes.join('; ') || null,
      n_faces: v.photo ? v.photo.detected : null,
      detector: f?.detector, det_score: f?.score, mesh_score: f?.meshScore,
      box_x: f?.box[0], box_y: f?.box[1], box_w: f?.box[2], box_h: f?.box[3], eye_distance: f?.eyeDistance,
      yaw: f?.yaw, pitch: f?.pitch, roll: f?.roll, sharpness: f?.sharpness, blur: f?.blur, brightness: f?.brightness, contrast: f?.contrast,
      colorfulness: f?.colorfulness, grayscale: f ? f.grayscale : null, off_tone: f?.offTone, eye_brightness: f?.eyeBrightness, inside: f?.inside, outside: f?.outside,
      name: m.name, gender: m.gender, dob: m.dob, photo_taken: m.photoTaken, age: m.age,
      age_flagged: m.ageFlagged ?? null, face_score: m.faceScore, second_face_score: m.secondFaceScore,
      path: v.item.path,
      landmarks68: f ? f.lm68.join(' ') : null,
    };
  });
}

export function writeManifest(file: string, verdicts: Verdict[], kept: Verdict[]): void {
  writeFileAtomic(file, formatCsv([...MANIFEST_COLUMNS], manifestRows(verdicts, kept)));
}

/** Reads a manifest back (values as strings). */
export function readManifest(file: string): Record<string, string>[] {
  return parseCsv(fs.readFileSync(file, 'utf8')).rows;
}
