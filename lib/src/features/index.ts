/**
 * Features: face-api's descriptor, age, gender and expressions for every kept face, cached.
 */
export * from './layout';
export { EXPRESSIONS, descriptorBox, attributeBox, type Expression, type FeatureBatch } from './nets';
export * from './traits';
