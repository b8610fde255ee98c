/**
 * `npm run build:lambda`: the bundles that go to AWS, built with esbuild into dist-lambda/:
 *   function/        index.mjs (the API handler) and sweeper.mjs (spool mode's sweeper)
 *   layer/           extensions/quickstow (the external extension, as Lambda finds it in
 *                    /opt/extensions) and quickstow-extension/extension.mjs (its code)
 *   function.zip, extension-layer.zip   the same folders, zipped for deployment
 *   bench/floor/, bench/naive/   index.mjs each: the floor and naive handlers `quickstow bench`
 *                    runs through `quickstow local` (its local-floor and local-naive targets);
 *                    never deployed, in no zip
 * The folders are what `quickstow local` runs; the zips are what the CDK stack deploys. Only
 * what the entries import is bundled: no aws-cdk-lib, no dev dependency, no native binary (the
 * spool's CRC32C is swapped for its portable twin, since the bundle may run on arm64).
 */
import { chmod, mkdir, readdir, readFile, rm, stat, writeFile } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';
import { type Zippable, zipSync } from 'fflate';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist-lambda');
const entries = path.join(root, 'src/lambda/entries');

const common = {
  bundle: true,
  platform: 'node',
  format: 'esm',
  target: 'node20',
  minify: true,
  keepNames: true,
  sourcemap: 'linked',
  legalComments: 'none',
  outExtension: { '.js': '.mjs' },
  alias: { '@node-rs/crc32': path.join(root, 'src/spool/crc32c-portable.ts') },
  // Some dependencies are CommonJS and call require(); an ES module has none of its own.
  banner: {
    js: "import { createRequire as __qsRequire } from 'node:module'; const require = __qsRequire(import.meta.url);",
  },
  logLevel: 'warning',
} as const;

await rm(out, { recursive: true, force: true });
await build({
  ...common,
  entryPoints: {
    index: path.join(entries, 'handler.ts'),
    sweeper: path.join(entries, 'sweeper.ts'),
  },
  outdir: path.join(out, 'function'),
});
await build({
  ...common,
  entryPoints: { extension: path.join(entries, 'extension.ts') },
  outdir: path.join(out, 'layer/quickstow-extension'),
});
// Lambda starts every executable in /opt/extensions and names the extension after the file.
const launcher = path.join(out, 'layer/extensions/quickstow');
await mkdir(path.dirname(launcher), { recursive: true });
await writeFile(
  launcher,
  '#!/bin/sh\n# Started by Lambda (or quickstow local) as an external extension named after this file.\nexec node "$(dirname "$0")/../quickstow-extension/extension.mjs" "$(basename "$0")"\n',
);
await chmod(launcher, 0o755);

// The bench's baselines in the Lambda family, bundled like a function a user would deploy.
await build({
  ...common,
  entryPoints: { index: path.join(root, 'src/bench/lambda/floor.ts') },
  outdir: path.join(out, 'bench/floor'),
});
await build({
  ...common,
  entryPoints: { index: path.join(root, 'src/bench/lambda/naive.ts') },
  outdir: path.join(out, 'bench/naive'),
});

for (const [folder, zip] of [
  ['function', 'function.zip'],
  ['layer', 'extension-layer.zip'],
] as const) {
  const bytes = zipSync(await zippable(path.join(out, folder)), { level: 9 });
  await writeFile(path.join(out, zip), bytes);
}

for (const name of [
  'function/index.mjs',
  'function/sweeper.mjs',
  'layer/quickstow-extension/extension.mjs',
  'function.zip',
  'extension-layer.zip',
  'bench/floor/index.mjs',
  'bench/naive/index.mjs',
]) {
  const { size } = await stat(path.join(out, name));
  process.stdout.write(
    `${`dist-lambda/${name}`.padEnd(48)} ${(size / 1024).toFixed(1).padStart(8)} KiB\n`,
  );
}

/** A folder as fflate input, keeping the executable bit (Lambda needs it on the extension). */
async function zippable(folder: string): Promise<Zippable> {
  const files: Zippable = {};
  for (const entry of await readdir(folder, { recursive: true, withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const full = path.join(entry.parentPath, entry.name);
    const mode = (await stat(full)).mode & 0o777;
    files[path.relative(folder, full).split(path.sep).join('/')] = [
      new Uint8Array(await readFile(full)),
      { os: 3, attrs: (0o100000 | mode) << 16, mtime: new Date('2026-01-01T00:00:00Z') },
    ];
  }
  return files;
}
