/**
 * Faces: decoding, detection (BlazeFace + FaceMesh), landmarks, head pose, quality, eye
 * alignment, filters and ranking, and the preparation stage that ties them together.
 */
export * from './align';
export * from './decode';
export * from './landmarks';
export * from './pose';
export * from './quality';
export { DETECTOR_DEFAULTS, type DetectorOptions, type DetectorModel, type DetectedFace } from './detector';
export { MEASURE_VERSION, encodeMesh, decodeMesh, type FaceMeasures, type PhotoRecord } from './measure';
export * from './filter';
export * from './manifest';
export * from './dedupe';
export * from './bias';
export { PersonSegmenter, SEGMENT_MODELS, MASK_VERSION, maskDir, maskPath, readMask, writeMask, segmentCrops, type SegmentModel, type GreyImage } from './segment';
