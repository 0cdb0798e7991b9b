/**
 * Average faces: piecewise-affine warps of eye-aligned crops onto mean shapes, per cluster and
 * globally, composed over a neutral background. See README.md in this folder.
 */
export * from './types';
export { eyeIndices, checkShape, shapeReference, meanShape, SHAPE_CHECK_DEFAULTS, MEAN_SHAPE_DEFAULTS } from './shapes';
export type { ShapeReference, ShapeCheckOptions, MeanShapeOptions } from './shapes';
export { orientedArea, triangleArea, convexHull, polygonArea, centroid } from './geometry';
export { triangulate, extendPoints, framePoints, TRIANGULATE_DEFAULTS } from './triangulate';
export type { FaceMesh, MeshLayout, TriangulateOptions } from './triangulate';
export { prepareWarp, accumulateWarp, warpImage, toRgbImage, frameMesh } from './warp';
export type { WarpMap, PrepareWarpOptions } from './warp';
export { faceMask, faceOutline, composeOver, autoForehead, MASK_DEFAULTS } from './mask';
export type { MaskOptions } from './mask';
export { averageFaces, formatSkips, AVERAGE_DEFAULTS, MAX_GROUPS } from './average';
export type { AverageOptions, AverageResult, AverageGroup, AverageProgress, FaceSource } from './average';
export { averagePng, averageLabel, gridImage, saveAverages, PNG_DEFAULTS, GRID_DEFAULTS, SAVE_DEFAULTS } from './finish';
export type { PngOptions, SharpenOptions, GridTile, GridOptions, SaveAveragesOptions } from './finish';
export { readRgb, drawShape, drawMesh, warpComparison, DRAW_DEFAULTS } from './draw';
export type { DrawOptions } from './draw';
export { crispness, shapeEyes, CRISPNESS_DEFAULTS } from './crisp';
export type { CrispnessOptions } from './crisp';
export { morphFrames, morphStrip, morphAnimation, MORPH_DEFAULTS, ANIMATION_DEFAULTS } from './morph';
export type { MorphOptions, AnimationOptions } from './morph';
export * from './compare';
