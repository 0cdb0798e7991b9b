/**
 * facetype: facial image segmentation in TypeScript.
 * Pipeline order (imports point one way): sources -> faces -> features -> cluster -> average -> plots/report.
 */
export * from './config';
export * from './validate';
export * as runtime from './runtime';
export * as sources from './sources';
export * as faces from './faces';
export * as features from './features';
export * as cluster from './cluster';
export * as average from './average';
export * as plots from './plots';
export * as report from './report';
export * as io from './io';
export * as notebook from './notebook';
export * as pipeline from './pipeline';
