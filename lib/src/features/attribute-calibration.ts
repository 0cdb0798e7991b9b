/**
 * The attribute calibration: written by scripts/validate-attributes.ts (`npm run validate:attributes --
 * <CelebA data folder> --write`); numbers only. Logistic models fitted and thresholds chosen on even
 * CelebA identities, AUC measured on odd identities.
 */
import type { AttributeCalibration } from './attribute-traits';

export const ATTRIBUTE_CALIBRATION: AttributeCalibration = {
  "source": "CelebA, 9000 faces kept by the pipeline, tuned on even identities, AUC on odd identities",
  "inputs": {
    "glasses": {
      "measures": ["bridgeEdge", "rimEdge", "templeEdge", "sideEdge", "cheekTexture"],
      "mean": [7.3452, 12.1548, 7.8017, 15.2876, 2.4967],
      "sd": [11.809, 10.0603, 8.0978, 9.1439, 1.4979]
    },
    "facialHair": {
      "measures": ["lipDark", "lipDarkShare", "lipTexture", "lipRed", "chinDark", "chinDarkShare", "chinTexture", "chinRed", "jawDark", "jawDarkShare", "jawTexture", "jawRed", "cheekTexture"],
      "mean": [2.8733, 0.2139, 2.3251, 1.5895, 0.1343, 0.1413, 0.3398, 1.9937, 5.6023, 0.27, 0.6152, 3.3562, 2.4967],
      "sd": [13.0141, 0.3081, 2.5131, 4.7626, 9.9564, 0.2237, 1.9674, 3.9382, 9.4438, 0.2647, 1.7947, 4.0274, 1.4979]
    },
    "hair": {
      "measures": ["hairSkin", "hairL", "hairA", "hairB", "hairChroma", "hairDark", "hairGrey", "hairBlond", "hairTexture", "sideDark", "hatLine"],
      "mean": [0.3715, 33.1997, 8.6419, 12.4484, 16.3853, 0.4032, 0.0346, 0.1422, 4.4335, 0.5529, 0.557],
      "sd": [0.2713, 21.1642, 6.89, 9.3039, 10.109, 0.3211, 0.1283, 0.2328, 2.6766, 0.335, 0.3102]
    },
    "hat": {
      "measures": ["hairSkin", "hairL", "hairA", "hairB", "hairChroma", "hairDark", "hairGrey", "hairBlond", "hairTexture", "sideDark", "hatLine", "templeEdge"],
      "mean": [0.3715, 33.1997, 8.6419, 12.4484, 16.3853, 0.4032, 0.0346, 0.1422, 4.4335, 0.5529, 0.557, 7.8017],
      "sd": [0.2713, 21.1642, 6.89, 9.3039, 10.109, 0.3211, 0.1283, 0.2328, 2.6766, 0.335, 0.3102, 8.0978]
    }
  },
  "binary": {
    "glasses": {
      "label": "Eyeglasses",
      "inputs": "glasses",
      "weights": [0.9174, 0.3891, 0.8691, -0.2603, 0.5102],
      "bias": -3.7004,
      "threshold": 0.1579,
      "auc": 0.978
    },
    "beard": {
      "label": "No_Beard",
      "negate": true,
      "inputs": "facialHair",
      "weights": [0.3599, 0.4459, 0.1354, 0.2514, 0.1105, -0.2734, 0.6721, -0.1434, 0.277, 0.3005, 0.3417, 0.598, 0.7011],
      "bias": -2.0316,
      "threshold": 0.2803,
      "auc": 0.888
    },
    "moustache": {
      "label": "Mustache",
      "inputs": "facialHair",
      "weights": [0.2963, 0.6076, 0.4962, 0.6215, -0.1563, 0.0512, 0.1024, -0.2651, 0.0114, -0.0817, -0.0176, 0.109, 0.4053],
      "bias": -3.7845,
      "threshold": 0.1909,
      "auc": 0.885
    },
    "goatee": {
      "label": "Goatee",
      "inputs": "facialHair",
      "weights": [0.1146, 0.5284, 0.2243, 0.2226, 0.0636, 0.152, 0.4065, 0.0008, 0.0917, 0.1606, 0.1428, 0.3589, 0.3582],
      "bias": -3.5263,
      "threshold": 0.1955,
      "auc": 0.914
    },
    "blackHair": {
      "label": "Black_Hair",
      "inputs": "hair",
      "weights": [0.2559, -0.3514, -0.0772, -0.3041, -0.4077, 0.4083, -0.0726, 0.3146, -0.3493, 0.2608, 0.2742],
      "bias": -1.4453,
      "threshold": 0.308,
      "auc": 0.818
    },
    "brownHair": {
      "label": "Brown_Hair",
      "inputs": "hair",
      "weights": [-0.181, 0.0337, 0.2546, 0.6004, -0.0912, -0.0856, -0.2816, -0.6331, 0.1397, 0.4592, -0.0093],
      "bias": -1.5056,
      "threshold": 0.231,
      "auc": 0.742
    },
    "blondHair": {
      "label": "Blond_Hair",
      "inputs": "hair",
      "weights": [0.0069, -0.0888, -0.4923, 0.6868, 0.1335, -0.7519, -0.0948, 0.0307, 0.3043, -1.0487, -0.0943],
      "bias": -2.8227,
      "threshold": 0.3226,
      "auc": 0.92
    },
    "greyHair": {
      "label": "Gray_Hair",
      "inputs": "hair",
      "weights": [0.1594, 0.4132, 0.1787, -0.1957, -0.2082, -0.6206, 0.0991, 0.125, -0.0687, -0.4186, -0.4222],
      "bias": -3.7305,
      "threshold": 0.1937,
      "auc": 0.886
    },
    "bald": {
      "label": "Bald",
      "inputs": "hair",
      "weights": [0.3754, 0.3816, 0.3369, -0.1732, 0.0911, -0.1543, 0.2651, 0.095, -0.5537, -0.1754, -0.5219],
      "bias": -4.6526,
      "threshold": 0.1266,
      "auc": 0.881
    },
    "hat": {
      "label": "Wearing_Hat",
      "inputs": "hat",
      "weights": [-1.285, 0.1859, -0.0064, -0.3333, 0.3105, 0.149, 0.2199, -0.0749, 0.2185, -0.0912, 0.7825, 0.2308],
      "bias": -4.3177,
      "threshold": 0.1651,
      "auc": 0.928
    }
  },
  "skinAuc": 0.898,
  "ageAuc": 0.912,
  "maleAuc": 0.995,
  "paleItaThreshold": 69.53
};
