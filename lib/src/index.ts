/**
 * facetype: facial image segmentation in TypeScript.
 * Layers (imports point one way, low to high): io, validate, runtime -> sources -> faces -> features
 * -> cluster -> average -> stages (config, file layouts) -> plots -> report, notebook -> cli.
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
export * as io from './io';
export * as notebook from './notebook';
export * as stages from './stages';
export * as report from './report';
