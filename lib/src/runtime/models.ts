/**
 * The pretrained models, pinned in models/models.json (package, version, files, sha256).
 * Weights are read from the installed npm packages, never fetched at run time; every file's
 * checksum is verified before a model is used.
 */
import * as crypto from 'node:crypto';
import * as fs from 'node:fs';
import * as path from 'node:path';
import type * as TF from '@tensorflow/tfjs';

export interface ModelSpec {
  package: string;
  version: string;
  dir: string;
  files: string[];
  kind: 'graph' | 'face-api';
  input: number[];
  role: string;
  sha256: Record<string, string>;
  bytes: Record<string, number>;
}

export type ModelName = 'blazeface-front' | 'blazeface' | 'facemesh' | 'face_recognition' | 'age_gender' | 'face_expression' | 'selfie' | 'meet' | 'rvm';

let registry: Record<string, ModelSpec> | null = null;
const verified = new Set<string>();

/** The pinned model list (models/models.json). */
export function modelRegistry(): Record<string, ModelSpec> {
  if (!registry) {
    // models/ ships with the code: lib/dist/runtime -> the project folder
    const file = path.resolve(__dirname, '..', '..', '..', 'models', 'models.json');
    registry = (JSON.parse(fs.readFileSync(file, 'utf8')) as { models: Record<string, ModelSpec> }).models;
  }
  return registry;
}

/** Folder holding a model's files inside its installed package. */
export function modelDir(name: ModelName): string {
  const spec = modelRegistry()[name];
  if (!spec) throw new Error(`Unknown model '${name}' (known: ${Object.keys(modelRegistry()).join(', ')})`);
  let pkgJson: string;
  try {
    pkgJson = require.resolve(`${spec.package}/package.json`);
  } catch {
    throw new Error(`Model '${name}' needs the npm package ${spec.package}@${spec.version}, which is not installed: run npm install`);
  }
  return path.join(path.dirname(pkgJson), spec.dir);
}

/**
 * Checks size and sha256 of every file of a model against models/models.json.
 * Throws a specific error on a mismatch (a different package version or a corrupt download).
 */
export function verifyModel(name: ModelName): void {
  if (verified.has(name)) return;
  const spec = modelRegistry()[name];
  const dir = modelDir(name);
  const installed = (JSON.parse(fs.readFileSync(path.join(dir, '..', 'package.json'), 'utf8')) as { version: string }).version;
  for (const file of spec.files) {
    const p = path.join(dir, file);
    if (!fs.existsSync(p)) throw new Error(`Model file missing: ${p} (expected from ${spec.package}@${spec.version})`);
    const buf = fs.readFileSync(p);
    const sum = crypto.createHash('sha256').update(buf).digest('hex');
    if (sum !== spec.sha256[file]) {
      throw new Error(
        `Checksum mismatch for model file ${p}: expected sha256 ${spec.sha256[file]} (${spec.package}@${spec.version}) ` +
          `but found ${sum} (installed ${spec.package}@${installed}). Reinstall with npm ci, or re-pin deliberately with scripts/pin-models.cjs`,
      );
    }
  }
  verified.add(name);
}

/** A tfjs graph model's files as loadGraphModel reads them: model.json's topology and weight specs, and the weights. */
export interface GraphModelFiles {
  modelTopology: TF.io.ModelJSON['modelTopology'];
  weightSpecs: TF.io.WeightsManifestEntry[];
  /** The .bin files concatenated in manifest order. */
  weightData: ArrayBuffer;
}

/** Reads a tfjs graph model's files from its package folder (checksums verified first). */
export function readGraphModelFiles(name: ModelName): GraphModelFiles {
  verifyModel(name);
  const spec = modelRegistry()[name];
  const dir = modelDir(name);
  const jsonFile = spec.files.find((f) => f.endsWith('.json'));
  if (!jsonFile) throw new Error(`Model '${name}' has no .json file in models/models.json`);
  const json = JSON.parse(fs.readFileSync(path.join(dir, jsonFile), 'utf8')) as {
    modelTopology: TF.io.ModelJSON['modelTopology'];
    weightsManifest: { paths: string[]; weights: TF.io.WeightsManifestEntry[] }[];
  };
  const buffers = json.weightsManifest.flatMap((g) => g.paths.map((p) => fs.readFileSync(path.join(dir, p))));
  const all = Buffer.concat(buffers);
  const weightData = all.buffer.slice(all.byteOffset, all.byteOffset + all.byteLength) as ArrayBuffer;
  return { modelTopology: json.modelTopology, weightSpecs: json.weightsManifest.flatMap((g) => g.weights), weightData };
}

/** Loads a tfjs graph model from its package folder (checksums verified first). */
export async function loadGraphModel(tf: typeof TF, name: ModelName): Promise<TF.GraphModel> {
  return tf.loadGraphModel(tf.io.fromMemory(readGraphModelFiles(name)));
}
