/**
 * Landmark sets. Detection gives MediaPipe's dense 468-point face mesh; the 68-point iBUG/dlib
 * layout (jaw 0-16, brows 17-26, nose 27-35, eyes 36-47, mouth 48-67) is derived from it by a
 * fixed correspondence (each 68-point landmark is one mesh vertex or the mean of two), after
 * Peizhi Yan's published MediaPipe-to-dlib table.
 *
 * Points are flat typed arrays: x0, y0, x1, y1, ... (2-D) or x0, y0, z0, ... (3-D).
 */

/** Values of one face's 68 landmarks (x, y) and of its 468-point mesh (x, y) in flat arrays. */
export const LANDMARK68_VALUES = 136;
export const MESH468_VALUES = 936;

/** Mesh vertex (or pair, averaged) for each of the 68 iBUG landmarks, in order. */
export const MESH_TO_68: readonly (readonly number[])[] = [
  // jaw, from the subject's right ear (image left) to the left ear
  [127], [234], [93], [132, 58], [58, 172], [136], [150], [176], [152],
  [400], [379], [365], [397, 288], [361], [323], [454], [356],
  // right brow (image left), left brow
  [70], [63], [105], [66], [107],
  [336], [296], [334], [293], [300],
  // nose bridge and lower nose
  [168, 6], [197, 195], [5], [4], [75], [97], [2], [326], [305],
  // right eye (image left), left eye: outer corner, top, top, inner corner, bottom, bottom
  [33], [160], [158], [133], [153], [144],
  [362], [385], [387], [263], [373], [380],
  // outer lips, inner lips
  [61], [39], [37], [0], [267], [269], [291], [321], [314], [17], [84], [91],
  [78], [82], [13], [312], [308], [317], [14], [87],
];

/** Index ranges of the 68-point layout. */
export const LM68 = {
  jaw: [0, 17] as const,
  rightBrow: [17, 22] as const,
  leftBrow: [22, 27] as const,
  noseBridge: [27, 31] as const,
  noseLower: [31, 36] as const,
  /** The subject's right eye: on the image's left in a frontal photo. */
  rightEye: [36, 42] as const,
  leftEye: [42, 48] as const,
  outerLips: [48, 60] as const,
  innerLips: [60, 68] as const,
};

/** Mesh vertices used for head pose (see pose.ts) and eye centres. */
export const MESH = {
  /** Subject's right eye contour (image left). */
  rightEye: [33, 7, 163, 144, 145, 153, 154, 155, 133, 173, 157, 158, 159, 160, 161, 246] as const,
  leftEye: [263, 249, 390, 373, 374, 380, 381, 382, 362, 398, 384, 385, 386, 387, 388, 466] as const,
  /** Top of the forehead, chin. */
  foreheadTop: 10,
  chin: 152,
  /** Face edge at the cheekbones: right (image left), left. */
  rightCheek: 234,
  leftCheek: 454,
  noseTip: 1,
  /** Outer boundary of the mesh (silhouette), in order. */
  silhouette: [10, 338, 297, 332, 284, 251, 389, 356, 454, 323, 361, 288, 397, 365, 379, 378, 400, 377, 152, 148, 176, 149, 150, 136, 172, 58, 132, 93, 234, 127, 162, 21, 54, 103, 67, 109] as const,
};

/** The 68-point landmarks (2-D) from a mesh given as flat x,y(,z) with `dims` values per vertex. */
export function meshTo68(mesh: ArrayLike<number>, dims: 2 | 3 = 3): Float32Array {
  const out = new Float32Array(68 * 2);
  for (let i = 0; i < 68; i++) {
    const src = MESH_TO_68[i];
    let x = 0;
    let y = 0;
    for (const v of src) {
      x += mesh[v * dims];
      y += mesh[v * dims + 1];
    }
    out[2 * i] = x / src.length;
    out[2 * i + 1] = y / src.length;
  }
  return out;
}

/** Mean of the listed vertices (2-D). */
export function centroidOf(points: ArrayLike<number>, indices: readonly number[], dims: 2 | 3 = 2): [number, number] {
  let x = 0;
  let y = 0;
  for (const i of indices) {
    x += points[i * dims];
    y += points[i * dims + 1];
  }
  return [x / indices.length, y / indices.length];
}

/**
 * Eye centres from a 468-point mesh: the mean of each eye's contour.
 * Returns [rightEye (image left), leftEye (image right)].
 */
export function eyeCentersFromMesh(mesh: ArrayLike<number>, dims: 2 | 3 = 3): [[number, number], [number, number]] {
  return [centroidOf(mesh, MESH.rightEye, dims), centroidOf(mesh, MESH.leftEye, dims)];
}

/** Eye centres from 68-point landmarks (mean of the six points of each eye). */
export function eyeCentersFrom68(lm: ArrayLike<number>): [[number, number], [number, number]] {
  const r = [36, 37, 38, 39, 40, 41];
  const l = [42, 43, 44, 45, 46, 47];
  return [centroidOf(lm, r), centroidOf(lm, l)];
}

/** Drops the z of a flat x,y,z array. */
export function to2d(points3: ArrayLike<number>): Float32Array {
  const n = Math.floor(points3.length / 3);
  const out = new Float32Array(n * 2);
  for (let i = 0; i < n; i++) {
    out[2 * i] = points3[3 * i];
    out[2 * i + 1] = points3[3 * i + 1];
  }
  return out;
}
