#!/usr/bin/env node
import { readFileSync } from 'node:fs';
import { Command, CommanderError } from 'commander';
import { QuickstowError } from '../core/errors.js';
import { benchCommand } from './bench.js';
import { localCommand } from './local.js';
import { serveCommand } from './serve.js';

const { version } = JSON.parse(
  readFileSync(new URL('../../package.json', import.meta.url), 'utf8'),
) as {
  version: string;
};

const program = new Command('quickstow')
  .description(
    'Answer large-payload uploads in the time it takes to receive them, and store them in S3 or a folder.',
  )
  .version(version)
  .exitOverride()
  .showHelpAfterError('(run with --help for usage)')
  .addCommand(serveCommand())
  .addCommand(localCommand())
  .addCommand(benchCommand());
// addCommand() does not pass these on: every command must throw, not exit, on a usage error.
for (const command of program.commands) {
  command.exitOverride().showHelpAfterError('(run with --help for usage)');
}

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (error instanceof CommanderError) {
    // Help and version exit 0; usage errors (unknown flag, bad value) exit 2, already printed.
    process.exit(error.exitCode === 0 ? 0 : 2);
  }
  if (error instanceof QuickstowError) {
    process.stderr.write(`quickstow: ${error.message}\n`);
    process.exit(2);
  }
  process.stderr.write(`quickstow: ${(error as Error).stack ?? String(error)}\n`);
  process.exit(1);
}
