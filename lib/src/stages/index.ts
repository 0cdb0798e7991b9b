/**
 * Stages: the face-specific glue of each step of the analysis, written once and called by the
 * notebooks (cell by cell) and by scripts and tests (one call per stage). The only layer that knows
 * the configuration and the file layouts of data/.
 */
export * from './prepare';
export * from './labels';
export * from './features';
export * from './types';
export * from './explain';
export * from './averages';
export * from './tables';
export * from './type-labels';
export * from './type-tree';
export * from './type-averages';
export * from './masks';
export * from './bias';
