/**
 * Per-face traits a type's label may name: the contract between the attribute measures
 * (features/attributes.ts: skin tone, glasses, facial hair, hair colour, head cover) and the
 * labeller (stages/explain.ts). Every trait is a column of one value per face.
 *
 * - `binary`: `values[i]` is 1 (the face has it), 0 (it has not) or NaN (not measurable); `score`
 *   keeps the continuous measure the threshold was applied to (for ROC curves and histograms).
 * - `category`: `values[i]` is an index into `categories` (NaN: not measurable).
 *
 * A trait may be named in a label only when `validated` is true: its measure reached ROC AUC >= 0.85
 * against labelled photos (`auc`), or it comes straight from a model's estimate (age band, gender).
 */
export type TraitKind = 'binary' | 'category';

export interface FaceTrait {
  /** Column name, e.g. 'glasses', 'skinTone', 'ageBand'. */
  name: string;
  kind: TraitKind;
  /** binary: 0/1/NaN per face; category: index into `categories` or NaN. */
  values: Float32Array;
  /** binary: the word(s) a label uses for members that have it ('with glasses'). */
  word?: string;
  /** category: the name of each category ('child', 'teen', ...), also the words a label uses. */
  categories?: string[];
  /** category: the categories follow an order (age bands, skin tones): a label may name two adjacent ones. */
  ordered?: boolean;
  /** binary: the continuous measure behind `values` (same length), when there is one. */
  score?: Float32Array;
  /** binary: the threshold applied to `score`. */
  threshold?: number;
  /** ROC AUC against labelled photos, when measured. */
  auc?: number;
  /** True when the trait may be named in a label (see module comment). */
  validated: boolean;
}

/** The minimum ROC AUC for a measured trait to be named in a label. */
export const MIN_LABEL_AUC = 0.85;
