/**
 * Filters with named thresholds, the quality score that ranks the faces that pass, and the
 * selection of the best N. Pure functions over measured records: changing a threshold needs no
 * re-detection.
 */
import type { FacesPerPhoto, PhotoItem } from '../sources/types';
import { InvalidParameterError, integerInRange, numberInRange, oneOf, withDefaults, boolean } from '../validate';
import type { FaceMeasures, PhotoRecord } from './measure';

export interface FilterOptions {
  /** 'single': a photo must show one clear face; 'all': every face of a photo is a candidate. */
  facesPerPhoto: FacesPerPhoto;
  /** In 'single' mode, another face whose eye distance is at least this share of the largest face's counts as a second person. */
  secondFaceRatio: number;
  /**
   * Smallest eye distance in the original photo, in pixels: below, too few pixels to show a face
   * in a 256 px crop (a 16 px eye distance is enlarged ~5x). Larger faces rank higher through the
   * quality score's size term. 16 keeps CelebA downscaled to 2/3 (eye distances from 18 px).
   */
  minEyeDistance: number;
  /** Smallest detector confidence. */
  minScore: number;
  /** Smallest face-mesh confidence (below: landmarks unreliable). */
  minMeshScore: number;
  /** Largest |yaw| (left-right turn) away from the reference pose, degrees. */
  maxYaw: number;
  /** Largest |pitch| (up-down) away from the reference pose, degrees. */
  maxPitch: number;
  /**
   * What yaw and pitch are measured from: 'median' = the source's median head pose (a camera held
   * above or below shifts every face alike; what matters for crops and averages is the spread
   * around it), 'camera' = facing the camera (0 deg).
   */
  poseReference: 'median' | 'camera';
  /** Largest |roll| (in-plane tilt), degrees; alignment removes roll, so this is loose. */
  maxRoll: number;
  /**
   * Largest re-blur ratio of the inner face on the photo's own pixels, normalised for the face's
   * size (FaceMeasures.blur): above, the face is clearly blurry. Calibrated on CelebA's Blurry
   * label, tuned on half of the identities (scripts/calibrate-blur.ts): 0.6 rejected 0.7% of the
   * faces, half of them labelled Blurry (the label misses many soft faces); 25% of CelebA's faces
   * had a crop sharpness under the former threshold. Raised to 0.62 after a visual audit of the
   * 53 faces 0.6 rejected among CelebA's 18,686 photos: 17 of the 20 above 0.62 look visibly
   * blurry beside kept faces, only about half of the 33 between 0.60 and 0.62 do; a filter only
   * removes what is unusable, softer faces lose in the quality score's ranking instead.
   */
  maxBlur: number;
  /** Re-blur ratio of a crisp face: the sharpness term of the quality score is 1 at or below it. */
  crispBlur: number;
  /** Accepted mean luminance of the inner face, 0..1. */
  minBrightness: number;
  maxBrightness: number;
  /** Smallest standard deviation of luminance of the inner face, 0..1. */
  minContrast: number;
  /** Keep grayscale and toned (sepia...) photos (they would grey out or tint colour averages). */
  allowGrayscale: boolean;
  /**
   * Smallest share of the crop's pixels off a single tone (FaceMeasures.offTone, see toneSpread):
   * below, a grayscale or toned (sepia, cyanotype, selenium) photo. Tuned on the even CelebA
   * identities (scripts/calibrate-toned.ts: the 99.5% quantile of toned copies' offTone); on 1,009
   * held-out photos it flags all grayscale, 97% of full sepia (the misses: JPEG q30-50), 100% of
   * 25-50% sepia and selenium, 99.9% of cyanotype copies, and 0.7% of the originals, most of which
   * are CelebA's own sepia and black-and-white photos (colourfulness < 6 alone: 0% of sepia).
   */
  minOffTone: number;
  /** Smallest eye brightness (eyes' over the face's mean luminance): below, sunglasses hide the eyes. */
  minEyeBrightness: number;
  /** Smallest share of the inner face inside the photo (faces cut by the edge). */
  minInside: number;
  /**
   * Eye distance (px in the photo) beyond which the quality score's size term stops growing. It equals
   * the sharpness measure's reference (NATIVE_SHARPNESS_DEFAULTS.referenceEyeDistance, 40 px):
   * larger faces are shrunk to it before their sharpness is judged, so more pixels beyond it are
   * not detail we can verify, and a photo enlarged by its uploader would otherwise outrank its
   * original (an upscaled copy has more pixels, not more detail). Below it, the re-blur ratio is
   * measured on the native pixels and sees an enlargement's softness.
   */
  fullSizeEyeDistance: number;
}

export const FILTER_DEFAULTS: FilterOptions = {
  facesPerPhoto: 'single',
  secondFaceRatio: 0.4,
  minEyeDistance: 16,
  minScore: 0.6,
  minMeshScore: 0.6,
  maxYaw: 20,
  maxPitch: 20,
  poseReference: 'median',
  maxRoll: 40,
  maxBlur: 0.62,
  crispBlur: 0.35,
  minBrightness: 0.18,
  maxBrightness: 0.85,
  minContrast: 0.05,
  allowGrayscale: false,
  minOffTone: 0.028,
  minEyeBrightness: 0.35,
  minInside: 0.97,
  fullSizeEyeDistance: 40,
};

/**
 * Looser pose limits for the embedded demo: its six group photos have people posing with turned
 * and tilted heads, and the demo must keep enough faces to show every step.
 */
export const DEMO_FILTERS: Partial<FilterOptions> = { maxYaw: 35, maxPitch: 35, maxRoll: 60 };

/** Weights of the quality score's terms (sum 1). */
export const QUALITY_WEIGHTS = {
  frontal: 0.35,
  sharpness: 0.3,
  size: 0.15,
  exposure: 0.1,
  confidence: 0.1,
} as const;

/** Steps of the funnel, in the order filters apply. */
export const FUNNEL_STEPS = [
  'metadata pre-filter',
  'unreadable or not an image',
  'no face found',
  'several faces',
  'face too small',
  'low confidence',
  'face cut by the photo edge',
  'not frontal',
  'grayscale photo',
  'eyes hidden',
  'badly exposed',
  'blurry',
  'near duplicate',
  'not among the best N',
] as const;
export type FunnelStep = (typeof FUNNEL_STEPS)[number];

export function validateFilters(options: Partial<FilterOptions> | undefined): FilterOptions {
  const o = withDefaults('filters', FILTER_DEFAULTS, options);
  oneOf('filters.facesPerPhoto', o.facesPerPhoto, ['single', 'all'] as const);
  numberInRange('filters.secondFaceRatio', o.secondFaceRatio, 0, 1);
  numberInRange('filters.minEyeDistance', o.minEyeDistance, 0, 10000);
  numberInRange('filters.minScore', o.minScore, 0, 1);
  numberInRange('filters.minMeshScore', o.minMeshScore, 0, 1);
  numberInRange('filters.maxYaw', o.maxYaw, 0, 90);
  numberInRange('filters.maxPitch', o.maxPitch, 0, 90);
  numberInRange('filters.maxRoll', o.maxRoll, 0, 180);
  oneOf('filters.poseReference', o.poseReference, ['median', 'camera'] as const);
  numberInRange('filters.maxBlur', o.maxBlur, 0, 1);
  numberInRange('filters.crispBlur', o.crispBlur, 0, 1);
  if (o.crispBlur >= o.maxBlur) throw new InvalidParameterError('filters.crispBlur', `a value below filters.maxBlur (${o.maxBlur})`, o.crispBlur);
  numberInRange('filters.minBrightness', o.minBrightness, 0, 1);
  numberInRange('filters.maxBrightness', o.maxBrightness, 0, 1);
  numberInRange('filters.minContrast', o.minContrast, 0, 1);
  boolean('filters.allowGrayscale', o.allowGrayscale);
  numberInRange('filters.minOffTone', o.minOffTone, 0, 1);
  numberInRange('filters.minEyeBrightness', o.minEyeBrightness, 0, 2);
  numberInRange('filters.minInside', o.minInside, 0, 1);
  numberInRange('filters.fullSizeEyeDistance', o.fullSizeEyeDistance, 1, 10000);
  if (o.fullSizeEyeDistance <= o.minEyeDistance) {
    throw new InvalidParameterError('filters.fullSizeEyeDistance', `a value above filters.minEyeDistance (${o.minEyeDistance})`, o.fullSizeEyeDistance);
  }
  return o;
}

const clamp01 = (v: number): number => (v < 0 ? 0 : v > 1 ? 1 : v);

/**
 * Quality score in [0, 1] of a face that passed the filters, a weighted sum of:
 * - frontal: 1 - hypot(yaw, pitch) / 30 degrees, yaw and pitch from the reference pose;
 * - sharpness: (maxBlur - blur) / (maxBlur - crispBlur) (a crisp face scores 1);
 * - size: log2(min(eyeDistance, fullSizeEyeDistance) / minEyeDistance) / 2, so 0 at the smallest
 *   accepted face, +0.5 per doubling, and no gain beyond fullSizeEyeDistance (40 px, 0.66): an
 *   enlarged copy of a photo does not outrank its original (measured: scripts/bench-upscale.ts);
 * - exposure: 1 - |brightness - 0.5| / 0.35, times min(1, contrast / 0.15);
 * - confidence: detector score x mesh score.
 */
export function qualityScore(f: FaceMeasures, o: FilterOptions = FILTER_DEFAULTS, reference: ReferencePose = CAMERA_POSE): number {
  const frontal = 1 - clamp01(Math.hypot(f.yaw - reference.yaw, f.pitch - reference.pitch) / 30);
  const sharp = f.blur === null ? 0 : clamp01((o.maxBlur - f.blur) / (o.maxBlur - o.crispBlur));
  const floor = Math.max(o.minEyeDistance, 1);
  const size = clamp01(Math.log2(Math.max(Math.min(f.eyeDistance, o.fullSizeEyeDistance), 1e-6) / floor) / 2);
  const exposure = clamp01(1 - Math.abs(f.brightness - 0.5) / 0.35) * Math.min(1, f.contrast / 0.15);
  const confidence = clamp01(f.score) * clamp01(f.meshScore);
  const w = QUALITY_WEIGHTS;
  return w.frontal * frontal + w.sharpness * sharp + w.size * size + w.exposure * exposure + w.confidence * confidence;
}

/** The verdict on one face (or on a photo without a usable face). */
export interface Verdict {
  photo: PhotoRecord | null;
  item: PhotoItem;
  face: FaceMeasures | null;
  step: FunnelStep | null;
  /** Specific reason with the values, e.g. 'not frontal (yaw 23.4° > 15°)'. */
  reason: string | null;
  quality: number | null;
}

const f1 = (v: number): string => (Math.round(v * 10) / 10).toString();

/** The head pose yaw and pitch are judged from (see FilterOptions.poseReference). */
export interface ReferencePose {
  yaw: number;
  pitch: number;
  /** Faces it was computed from (0 for the camera's own axis). */
  faces: number;
}

export const CAMERA_POSE: ReferencePose = { yaw: 0, pitch: 0, faces: 0 };

function median(values: number[]): number {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * The reference pose of a source: the median yaw and pitch of the main face of every photo with
 * a measured face ('median'), or the camera's axis ('camera', or no face at all).
 */
export function referencePose(records: Iterable<PhotoRecord>, poseReference: FilterOptions['poseReference'] = 'median'): ReferencePose {
  if (poseReference === 'camera') return CAMERA_POSE;
  const yaw: number[] = [];
  const pitch: number[] = [];
  for (const r of records) {
    const f = r.faces[0];
    if (r.status !== 'ok' || !f) continue;
    yaw.push(f.yaw);
    pitch.push(f.pitch);
  }
  if (yaw.length === 0) return CAMERA_POSE;
  const r2 = (v: number): number => Math.round(v * 100) / 100;
  return { yaw: r2(median(yaw)), pitch: r2(median(pitch)), faces: yaw.length };
}

/** Checks one face against the face-level filters. Returns [step, reason] or null when it passes. */
export function checkFace(f: FaceMeasures, o: FilterOptions, reference: ReferencePose = CAMERA_POSE): [FunnelStep, string] | null {
  const dYaw = f.yaw - reference.yaw;
  const dPitch = f.pitch - reference.pitch;
  const from = (v: number): string => (reference.faces > 0 ? ` from the median ${f1(v)}°` : '');
  if (f.eyeDistance < o.minEyeDistance) return ['face too small', `face too small (eye distance ${f1(f.eyeDistance)} px < ${o.minEyeDistance})`];
  if (f.score < o.minScore) return ['low confidence', `low detection confidence (${f.score.toFixed(2)} < ${o.minScore})`];
  if (f.meshScore < o.minMeshScore) return ['low confidence', `landmarks unreliable (mesh confidence ${f.meshScore.toFixed(2)} < ${o.minMeshScore})`];
  if (f.inside < o.minInside) return ['face cut by the photo edge', `face cut by the photo edge (${Math.round(f.inside * 100)}% inside)`];
  if (Math.abs(dYaw) > o.maxYaw) return ['not frontal', `not frontal (yaw ${f1(f.yaw)}° beyond ±${o.maxYaw}°${from(reference.yaw)})`];
  if (Math.abs(dPitch) > o.maxPitch) return ['not frontal', `not frontal (pitch ${f1(f.pitch)}° beyond ±${o.maxPitch}°${from(reference.pitch)})`];
  if (Math.abs(f.roll) > o.maxRoll) return ['not frontal', `tilted (roll ${f1(f.roll)}° beyond ±${o.maxRoll}°)`];
  if (!o.allowGrayscale) {
    if (f.grayscale) return ['grayscale photo', `grayscale photo (colourfulness ${f1(f.colorfulness)})`];
    // records measured before offTone existed lack it: judged by colourfulness alone
    if (typeof f.offTone === 'number' && f.offTone < o.minOffTone) {
      return ['grayscale photo', `grayscale or toned (sepia) photo (${(f.offTone * 100).toFixed(1)}% of pixels off a single tone < ${(o.minOffTone * 100).toFixed(1)}%)`];
    }
  }
  if (f.eyeBrightness < o.minEyeBrightness) return ['eyes hidden', `eyes hidden: sunglasses or deep shadow (eye brightness ${f.eyeBrightness.toFixed(2)} < ${o.minEyeBrightness})`];
  if (f.brightness < o.minBrightness) return ['badly exposed', `too dark (brightness ${f.brightness.toFixed(2)} < ${o.minBrightness})`];
  if (f.brightness > o.maxBrightness) return ['badly exposed', `overexposed (brightness ${f.brightness.toFixed(2)} > ${o.maxBrightness})`];
  if (f.contrast < o.minContrast) return ['badly exposed', `low contrast (${f.contrast.toFixed(3)} < ${o.minContrast})`];
  if (f.blur === null) return ['face too small', 'face too small to measure its sharpness'];
  if (f.blur > o.maxBlur) return ['blurry', `blurry (re-blur ratio ${f.blur.toFixed(2)} > ${o.maxBlur})`];
  return null;
}

/**
 * Applies every filter to every photo: one verdict per candidate face, and one per photo that
 * has no candidate at all. `records` is looked up by item id; items without a record are skipped.
 */
export function judge(items: PhotoItem[], records: Map<string, PhotoRecord>, options: Partial<FilterOptions> = {}): Verdict[] {
  const o = validateFilters(options);
  const reference = referencePose(items.flatMap((it) => records.get(it.id) ?? []), o.poseReference);
  const out: Verdict[] = [];
  for (const item of items) {
    if (item.preReject) {
      out.push({ photo: null, item, face: null, step: 'metadata pre-filter', reason: item.preReject, quality: null });
      continue;
    }
    const rec = records.get(item.id);
    if (!rec) continue;
    if (rec.status === 'failed') {
      out.push({ photo: rec, item, face: null, step: 'unreadable or not an image', reason: rec.reason ?? 'failed', quality: null });
      continue;
    }
    if (rec.faces.length === 0) {
      const reason = rec.detected > 0 ? 'no face found (landmarks failed)' : 'no face found';
      out.push({ photo: rec, item, face: null, step: 'no face found', reason, quality: null });
      continue;
    }
    let candidates = rec.faces;
    if (o.facesPerPhoto === 'single') {
      const main = rec.faces[0];
      const others = rec.faces.slice(1).filter((f) => f.eyeDistance >= o.secondFaceRatio * main.eyeDistance);
      if (others.length > 0) {
        out.push({ photo: rec, item, face: main, step: 'several faces', reason: `several faces (${others.length + 1} of similar size)`, quality: null });
        continue;
      }
      candidates = [main];
    }
    for (const f of candidates) {
      if (!f.crop) continue;
      const fail = checkFace(f, o, reference);
      if (fail) out.push({ photo: rec, item, face: f, step: fail[0], reason: fail[1], quality: null });
      else out.push({ photo: rec, item, face: f, step: null, reason: null, quality: qualityScore(f, o, reference) });
    }
  }
  return out;
}

/** Rank order of passing faces: quality score, best first; ties broken by id, then face index. */
export function byRank(a: Verdict, b: Verdict): number {
  return (b.quality as number) - (a.quality as number) || (a.item.id < b.item.id ? -1 : a.item.id > b.item.id ? 1 : (a.face?.index ?? 0) - (b.face?.index ?? 0));
}

/**
 * Keeps the best `keep` passing faces by quality score (ties broken by id for a stable order);
 * the others get the step 'not among the best N'. Returns the kept verdicts in rank order.
 */
export function selectBest(verdicts: Verdict[], keep: number): Verdict[] {
  integerInRange('keep', keep, 1);
  const passing = verdicts.filter((v) => v.step === null);
  passing.sort(byRank);
  for (let i = keep; i < passing.length; i++) {
    passing[i].step = 'not among the best N';
    passing[i].reason = `not among the best ${keep} (quality ${(passing[i].quality as number).toFixed(3)})`;
  }
  return passing.slice(0, keep);
}

/**
 * What kind of cut a funnel step is: 'input' (no usable photo or face: metadata, unreadable, no
 * face, a near duplicate of a better face), 'unusable' (a filter: the face cannot serve), 'ranking' (usable but not among the best N,
 * the main cut on a large source), 'kept'.
 */
export type FunnelCut = 'input' | 'unusable' | 'ranking' | 'kept';

const INPUT_STEPS: readonly string[] = ['metadata pre-filter', 'unreadable or not an image', 'no face found', 'near duplicate'];

export function funnelCut(step: FunnelStep | 'kept'): FunnelCut {
  return step === 'kept' ? 'kept' : step === 'not among the best N' ? 'ranking' : INPUT_STEPS.includes(step) ? 'input' : 'unusable';
}

export interface FunnelRow {
  step: FunnelStep | 'kept';
  cut: FunnelCut;
  removed: number;
  remaining: number;
}

/** How many photos/faces each step removed, in order (the filter funnel). */
export function funnel(verdicts: Verdict[]): FunnelRow[] {
  const counts = new Map<string, number>();
  for (const v of verdicts) if (v.step) counts.set(v.step, (counts.get(v.step) ?? 0) + 1);
  const rows: FunnelRow[] = [];
  const kept = verdicts.filter((v) => v.step === null).length;
  // start from every candidate: one per photo, plus the extra faces of group photos in 'all' mode
  let remaining = verdicts.length;
  for (const step of FUNNEL_STEPS) {
    const removed = counts.get(step) ?? 0;
    remaining -= removed;
    rows.push({ step, cut: funnelCut(step), removed, remaining });
  }
  rows.push({ step: 'kept', cut: 'kept', removed: 0, remaining: kept });
  return rows;
}
