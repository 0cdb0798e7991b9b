/**
 * One interface for every photo source: the WIKI dataset, any folder of photos, the embedded demo.
 * The preparation stage only sees `PhotoSource`.
 */

/** Metadata a source may know about a photo before any detector runs (WIKI has all of these). */
export interface PhotoMeta {
  name?: string | null;
  /** 'male' | 'female' | null when unknown. */
  gender?: 'male' | 'female' | null;
  /** Date of birth as ISO date (YYYY-MM-DD), null when unknown or invalid. */
  dob?: string | null;
  /** Year the photo was taken. */
  photoTaken?: number | null;
  /** Age at photo in years (clamped to [0, 100]); null when unknown. */
  age?: number | null;
  /** True when the raw age was impossible (negative or > 100) and was clamped. */
  ageFlagged?: boolean;
  /** Dataset's own face detector score; -Infinity when it found no face. */
  faceScore?: number | null;
  /** Dataset's score of a second face; null (NaN in the file) when there was none. */
  secondFaceScore?: number | null;
  /**
   * Dataset's face box [x1, y1, x2, y2] in pixels of the photo (MATLAB 1-based coordinates), null
   * when absent. A hint only: the preparation runs its own detector.
   */
  faceLocation?: [number, number, number, number] | null;
}

/** One photo of a source. */
export interface PhotoItem {
  /** Stable id, unique in the source: the path relative to the source root, with '/' separators. */
  id: string;
  /** Absolute path of the image file. */
  path: string;
  meta?: PhotoMeta;
  /**
   * Set when the source's metadata already rules the photo out (a cheap pre-filter, before any
   * detector runs): for example WIKI's face_score = -inf ('no face (dataset face_score -inf)').
   */
  preReject?: string;
}

/** How many faces per photo the preparation may take. */
export type FacesPerPhoto = 'single' | 'all';

export interface SourceSummary {
  /** 'wiki' | 'demo' | 'folder'. */
  kind: string;
  /** Human-readable name with its location. */
  label: string;
  root: string;
  photos: number;
  /** Photos the metadata pre-filter already ruled out, by reason. */
  preRejected: Record<string, number>;
  /** Photos left for the preparation: photos minus every pre-rejection. */
  candidates?: number;
  /** The source's default faces per photo. */
  facesPerPhoto?: FacesPerPhoto;
}

export interface PhotoSource {
  kind: 'wiki' | 'demo' | 'folder';
  /** Where the photos are. */
  root: string;
  /** Human-readable name with its location. */
  label: string;
  /**
   * Default for the preparation: 'single' keeps photos with one clear face (portraits, WIKI);
   * 'all' takes every face of a group photo as a candidate (the demo's group photos).
   */
  facesPerPhoto: FacesPerPhoto;
  /** Every photo, in a stable order (sorted by id). */
  list(): Promise<PhotoItem[]>;
}
