import { existsSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Code } from 'aws-cdk-lib/aws-lambda';

/**
 * Where `npm run build:lambda` (run at the repository root) writes the bundles this stack
 * deploys. Resolved from this file rather than from the working directory, so `cdk synth` from
 * infra/, the tests from the root and an app elsewhere all find the same files.
 */
export const defaultBundlePaths = {
  /** `index.mjs` (the API handler) and `sweeper.mjs` (the spool sweeper), each exporting `handler`. */
  functionZip: fileURLToPath(new URL('../../dist-lambda/function.zip', import.meta.url)),
  /** `extensions/quickstow`, the external extension's executable, and its code. */
  extensionLayerZip: fileURLToPath(
    new URL('../../dist-lambda/extension-layer.zip', import.meta.url),
  ),
} as const;

/** The handler entries inside the function zip: Lambda resolves `index.handler` to `index.mjs`. */
export const handlers = {
  api: 'index.handler',
  sweeper: 'sweeper.handler',
} as const;

/**
 * Lambda code from a bundle zip, with an error that says how to make the zip when it is missing
 * (CDK's own only says it cannot find the asset).
 */
export function bundleCode(zipPath: string): Code {
  if (!existsSync(zipPath)) {
    throw new Error(
      `Lambda bundle ${zipPath} does not exist: run \`npm run build:lambda\` at the repository root, or point the construct (or -c functionZip=/-c layerZip=) at a built zip`,
    );
  }
  return Code.fromAsset(zipPath);
}
