/**
 * The node arguments that run another module of this package in a child process. Built, that is
 * the .js beside this file in dist/; from source (a test importing this through tsx) it is the
 * .ts file, loaded through tsx, so the child runs the same code as its parent.
 */
import { fileURLToPath } from 'node:url';

export function nodeArgsFor(moduleFromBench: string): string[] {
  const extension = import.meta.url.endsWith('.ts') ? '.ts' : '.js';
  const file = fileURLToPath(new URL(`${moduleFromBench}${extension}`, import.meta.url));
  return extension === '.ts' ? ['--import', 'tsx', file] : [file];
}
