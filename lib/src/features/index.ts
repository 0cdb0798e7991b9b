/**
 * Features: face-api's descriptor, age, gender and expressions for every kept face, cached.
 */
export * from './extract';
export { EXPRESSIONS, ATTRIBUTE_COLUMNS, descriptorBox, attributeBox, type Expression, type FeatureBatch } from './nets';
export * from './traits';
