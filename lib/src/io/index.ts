export * from './csv';
export * from './frame';
export * from './text';
export * from './atomic';
export * from './lock';
export * from './provenance';
export * from './onnx-proto';
