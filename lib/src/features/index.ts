/**
 * Features: face-api's descriptor, age, gender and expressions for every kept face, cached; the
 * measured attributes (skin tone, glasses, facial hair, hair, head cover) and the per-face traits.
 */
export * from './layout';
export { EXPRESSIONS, descriptorBox, attributeBox, readCrop, FaceNets, netCrops, convertFaceNets, type Expression, type FeatureBatch, type NetCrops } from './nets';
export { readWeightMap, faceRecognitionOnnx, ageGenderOnnx, faceExpressionOnnx, type Weight } from './onnx-nets';
export * from './traits';
export * from './attributes';
export * from './attribute-traits';
export { ATTRIBUTE_CALIBRATION } from './attribute-calibration';
