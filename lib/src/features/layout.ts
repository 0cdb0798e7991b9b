/**
 * The features stage's data layouts: one row per face, row-major float32 matrices.
 * - descriptors: N x DESCRIPTOR_DIM (face-api's face descriptor);
 * - attributes: N x ATTRIBUTE_DIM, columns ATTRIBUTE_COLUMNS: estimated age (years), male
 *   probability, then the 7 expression probabilities in EXPRESSIONS order.
 */
import { EXPRESSIONS } from './expressions';

export const DESCRIPTOR_DIM = 128;
export const ATTRIBUTE_COLUMNS = ['age', 'male', ...EXPRESSIONS] as const;
export const ATTRIBUTE_DIM = ATTRIBUTE_COLUMNS.length;
/** Column of each attribute: `attributes[i * ATTRIBUTE_DIM + ATTRIBUTE.male]`. */
export const ATTRIBUTE = { age: 0, male: 1, firstExpression: 2 } as const;
