import { Command, InvalidArgumentError, Option } from 'commander';
import { targetDescriptions, targetNames } from '../bench/catalog.js';
import {
  type BenchOptions,
  benchDefaults,
  parseConcurrency,
  parseTargets,
  parseUrlTarget,
  type UrlTarget,
} from '../bench/options.js';
import { runBench } from '../bench/run.js';
import { parseBytes, parseInteger } from './options.js';

/**
 * `quickstow bench`. Its flags have no QUICKSTOW_* variables, unlike serve's: QUICKSTOW_BUCKET or
 * QUICKSTOW_S3_ENDPOINT set for a server must not silently point a benchmark at another store.
 */
export function benchCommand(): Command {
  const positive = (value: string) => {
    const number = parseInteger(value);
    if (number < 1) throw new InvalidArgumentError('expected a whole number from 1 up.');
    return number;
  };
  const command = new Command('bench')
    .description(
      'Measure POST /payloads latency of quickstow against the floor and the naive server, side by side, and check every acknowledged payload was stored.',
    )
    .addOption(
      new Option(
        '--targets <names>',
        `comma-separated subset of the targets below, or all (${targetNames.length} targets)`,
      )
        .argParser(parseTargets)
        .default(benchDefaults.targets, benchDefaults.targets.join(',')),
    )
    .addOption(
      new Option(
        '--url <name=url>',
        'also measure a running server speaking the contract (repeatable)',
      )
        .argParser(parseUrlTarget)
        .default([] as UrlTarget[], 'none'),
    )
    .addOption(
      new Option('--size <bytes>', 'payload size, e.g. 1MiB, 64KiB')
        .argParser(parseBytes)
        .default(benchDefaults.sizeBytes, '1MiB'),
    )
    .addOption(
      new Option('--requests <n>', 'timed requests per target and concurrency level')
        .argParser(positive)
        .default(benchDefaults.requests),
    )
    .addOption(
      new Option('--warmup <n>', 'untimed requests per target before each level')
        .argParser(parseInteger)
        .default(benchDefaults.warmup),
    )
    .addOption(
      new Option('--concurrency <levels>', 'requests in flight, one level after another')
        .argParser(parseConcurrency)
        .default(benchDefaults.concurrency, benchDefaults.concurrency.join(',')),
    )
    .addOption(
      new Option('--s3-delay-ms <ms>', 'delay each way between the servers and the S3 stand-in')
        .argParser(parseInteger)
        .default(benchDefaults.s3DelayMs),
    )
    .addOption(
      new Option(
        '--s3-endpoint <url>',
        'use this S3 (credentials from the AWS chain) instead of the s3rver stand-in',
      ),
    )
    .addOption(
      new Option('--bucket <name>', 'bucket to store in (must exist with --s3-endpoint)').default(
        benchDefaults.bucket,
      ),
    )
    .addOption(
      new Option('--region <region>', 'AWS region with --s3-endpoint (default: AWS chain)'),
    )
    .addOption(
      new Option('--verify-timeout-ms <ms>', 'how long a 202 payload may take to reach the store')
        .argParser(parseInteger)
        .default(benchDefaults.verifyTimeoutMs),
    )
    .addOption(
      new Option('--report-dir <dir>', 'where results.json and latency.svg go').default(
        benchDefaults.reportDir,
      ),
    );
  command.addHelpText(
    'after',
    `
Targets (each its own process; the S3 stand-in is s3rver behind a delay proxy):
${targetNames.map((name) => `  ${name.padEnd(21)} ${targetDescriptions[name]}`).join('\n')}
The local-* targets are \`quickstow local\` processes (REST API + Lambda, every sandbox prewarmed);
their ratios are to local-floor and local-naive, the others' to floor and naive.

Latency runs from the first byte sent to the last byte of the answer; targets take turns batch
by batch. After the run every acknowledged payload is read back from the store and compared;
a lost or corrupted payload, or a failed request, makes the command exit 1.

Examples:
  quickstow bench
  quickstow bench --targets all
  quickstow bench --targets floor,serve-sync --requests 100 --concurrency 1,4,16
  quickstow bench --size 64KiB --s3-delay-ms 0 --report-dir /tmp/bench
  quickstow bench --targets floor --url mine=http://127.0.0.1:8080
  quickstow bench --s3-endpoint https://s3.eu-west-1.amazonaws.com --bucket my-bench-bucket --region eu-west-1`,
  );
  command.action(async (parsed: Record<string, unknown>) => {
    const options: BenchOptions = {
      targets: parsed.targets as BenchOptions['targets'],
      urls: parsed.url as UrlTarget[],
      sizeBytes: parsed.size as number,
      requests: parsed.requests as number,
      warmup: parsed.warmup as number,
      concurrency: parsed.concurrency as number[],
      s3DelayMs: parsed.s3DelayMs as number,
      bucket: parsed.bucket as string,
      reportDir: parsed.reportDir as string,
      verifyTimeoutMs: parsed.verifyTimeoutMs as number,
      ...(parsed.s3Endpoint === undefined ? {} : { s3Endpoint: parsed.s3Endpoint as string }),
      ...(parsed.region === undefined ? {} : { region: parsed.region as string }),
    };
    // `quickstow bench | head` closes stdout early: stop printing, but still clean up and finish.
    process.stdout.on('error', (error: NodeJS.ErrnoException) => {
      if (error.code !== 'EPIPE') throw error;
    });
    process.exitCode = await runBench(options, { stdout: process.stdout, stderr: process.stderr });
  });
  return command;
}
