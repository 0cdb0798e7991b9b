export * from './backend';
export * from './pool';
export * from './progress';
export * from './models';
export * from './watchdog';
export * from './onnx';
export * from './onnx-graph';
