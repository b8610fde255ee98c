/**
 * The stack deploys the bundles `npm run build:lambda` writes to dist-lambda/. These tests fail
 * until that build has run: the root's test script runs it first.
 */
import assert from 'node:assert/strict';
import { existsSync, readFileSync } from 'node:fs';
import { describe, it } from 'node:test';
import { defaultBundlePaths } from '../lib/bundles.js';
import { zipEntries } from './support/zip-entries.js';

describe('the bundles the stack deploys by default', () => {
  it('exist where npm run build:lambda writes them', () => {
    for (const bundle of Object.values(defaultBundlePaths)) {
      assert.ok(
        existsSync(bundle),
        `${bundle} is missing: run npm run build:lambda at the repository root`,
      );
    }
  });

  it('the function zip has the API handler (index.mjs) and the sweeper (sweeper.mjs) at its root', () => {
    const names = zipEntries(readFileSync(defaultBundlePaths.functionZip)).map(
      (entry) => entry.name,
    );
    assert.ok(names.includes('index.mjs'), `index.mjs in ${names.join(', ')}`);
    assert.ok(names.includes('sweeper.mjs'), `sweeper.mjs in ${names.join(', ')}`);
  });

  it('the layer zip has an executable extensions/quickstow, which Lambda starts as an external extension', () => {
    const entries = zipEntries(readFileSync(defaultBundlePaths.extensionLayerZip));
    const extension = entries.find((entry) => entry.name === 'extensions/quickstow');
    assert.ok(
      extension,
      `extensions/quickstow in ${entries.map((entry) => entry.name).join(', ')}`,
    );
    if (extension.unixMode !== undefined) {
      assert.ok(
        (extension.unixMode & 0o111) !== 0,
        `extensions/quickstow is executable (mode ${extension.unixMode.toString(8)})`,
      );
    }
  });

  it('neither bundle carries aws-cdk-lib', () => {
    for (const bundle of Object.values(defaultBundlePaths)) {
      const names = zipEntries(readFileSync(bundle)).map((entry) => entry.name);
      assert.ok(!names.some((name) => name.includes('aws-cdk-lib')), bundle);
    }
  });
});
