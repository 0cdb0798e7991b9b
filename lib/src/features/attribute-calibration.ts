import type { AttributeCalibration } from './attribute-traits';

export const ATTRIBUTE_CALIBRATION: AttributeCalibration = { source: 'placeholder', binary: {}, skinAuc: 0, ageAuc: 0, maleAuc: 0, paleItaThreshold: 0 };
