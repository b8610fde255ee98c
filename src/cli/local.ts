import path from 'node:path';
import { Command, InvalidArgumentError } from 'commander';
import { resolveConfig } from '../core/config.js';
import { QuickstowError } from '../core/errors.js';
import { extensionKinds, lambdaModes } from '../lambda/config.js';
import { functionEnvironment } from '../local/function-env.js';
import { bundledExtensionsDir, bundledFunctionDir, startLocal } from '../local/start.js';
import { addStoreOptions, option, parseInteger, storeConfigOf } from './options.js';

function collectEnv(
  value: string,
  previous: Record<string, string> | undefined,
): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError('expected KEY=VALUE.');
  return { ...(previous ?? {}), [value.slice(0, eq)]: value.slice(eq + 1) };
}

export function localCommand(): Command {
  const command = new Command('local')
    .description(
      'Emulate API Gateway + Lambda on this machine: real Runtime and Extensions APIs, the real AWS runtime client (aws-lambda-ric), and a real freeze (SIGSTOP) between invokes.',
    )
    .addOption(option('--host <host>', 'interface of the API Gateway front').default('127.0.0.1'))
    .addOption(
      option('--port <port>', 'port of the API Gateway front (0 picks a free one)')
        .argParser(parseInteger)
        .default(3000),
    )
    .addOption(
      option(
        '--api <kind>',
        'rest: REST API, payload v1 (binaryMediaTypes */*); http: HTTP API, payload v2.0',
      )
        .choices(['rest', 'http'])
        .default('rest'),
    )
    .addOption(
      option(
        '--function-name <name>',
        "the function's name (AWS_LAMBDA_FUNCTION_NAME, log stream names)",
      ).default('quickstow-local'),
    )
    .addOption(
      option(
        '--concurrency <n>',
        'most sandboxes at once; beyond it requests are throttled, as Lambda does',
      )
        .argParser(parseInteger)
        .default(10),
    )
    .addOption(
      option(
        '--prewarm <n>',
        'sandboxes initialised before the first request (provisioned concurrency)',
      )
        .argParser(parseInteger)
        .default(0),
    )
    .addOption(
      option('--timeout <seconds>', 'function timeout; it covers post-response extension work')
        .argParser(parseInteger)
        .default(30),
    )
    .addOption(
      option('--memory <mb>', 'function memory size (reported; CPU is not scaled)')
        .argParser(parseInteger)
        .default(1024),
    )
    .addOption(
      option('--idle-timeout <seconds>', 'an idle sandbox is shut down after this long')
        .argParser(parseInteger)
        .default(300),
    )
    .addOption(
      option('--env <KEY=VALUE>', 'add to the function environment (repeatable)').argParser(
        collectEnv,
      ),
    )
    .addOption(
      option(
        '--extensions <dir>',
        "external extensions folder, like /opt/extensions (default with --extension external: quickstow's layer)",
      ),
    )
    .addOption(
      option('--code <dir>', "run another Node handler from this folder instead of quickstow's"),
    )
    .addOption(
      option('--handler <file.export>', "the handler in --code, in Lambda's notation").default(
        'index.handler',
      ),
    )
    .addOption(
      option(
        '--mode <mode>',
        "quickstow handler's mode: after-response (202, uploads after the response), sync (201), spool (202 after fsync)",
      )
        .choices(lambdaModes)
        .default('after-response'),
    )
    .addOption(
      option(
        '--extension <kind>',
        'after-response: upload from an internal extension (in the runtime process) or the external one (a layer)',
      )
        .choices(extensionKinds)
        .default('internal'),
    );
  addStoreOptions(command);
  command.addHelpText(
    'after',
    `
Without --code, quickstow's own handler runs (build it first: npm run build:lambda), configured by
the mode and store flags, exactly as the CDK stack configures it on AWS. With --code DIR, any Node
handler runs from DIR (or DIR/bootstrap, when executable). Every flag has a QUICKSTOW_* variable.

Examples:
  quickstow local
  quickstow local --api http --mode after-response --extension external
  quickstow local --store s3 --bucket test --s3-endpoint http://127.0.0.1:4568
  quickstow local --code ./my-function --handler app.handler --env TABLE=orders`,
  );
  command.action(async (options: Record<string, unknown>, cmd: Command) => {
    const shared = resolveConfig({ ...storeConfigOf(options), mode: 'sync' });
    const ownHandler = options.code === undefined;
    if (ownHandler && cmd.getOptionValueSource('handler') === 'cli') {
      throw new QuickstowError(
        'invalid-config',
        400,
        '--handler needs --code: it names a handler in that folder',
      );
    }
    const extension = options.extension as (typeof extensionKinds)[number];
    const env = {
      ...(ownHandler
        ? functionEnvironment({
            mode: options.mode as (typeof lambdaModes)[number],
            extension,
            shared,
          })
        : {}),
      ...((options.env as Record<string, string> | undefined) ?? {}),
    };
    const extensionsDir =
      (options.extensions as string | undefined) ??
      (ownHandler && options.mode === 'after-response' && extension === 'external'
        ? bundledExtensionsDir
        : '');
    const running = await startLocal({
      api: options.api as 'rest' | 'http',
      host: options.host as string,
      port: options.port as number,
      lambda: {
        functionName: options.functionName as string,
        codeDir: ownHandler ? bundledFunctionDir : path.resolve(options.code as string),
        handler: ownHandler ? 'index.handler' : (options.handler as string),
        extensionsDir: extensionsDir === '' ? '' : path.resolve(extensionsDir),
        timeoutMs: (options.timeout as number) * 1000,
        memoryMb: options.memory as number,
        concurrency: options.concurrency as number,
        prewarm: options.prewarm as number,
        idleMs: (options.idleTimeout as number) * 1000,
        env,
      },
      onLog: (line) => process.stdout.write(`${line}\n`),
    });
    process.stderr.write(
      `quickstow local: ${options.api === 'http' ? 'HTTP API' : 'REST API'} + Lambda (${ownHandler ? `quickstow ${options.mode}` : options.handler}) listening on ${running.url}\n`,
    );
    const stop = () => {
      running.close().then(
        () => process.exit(0),
        () => process.exit(1),
      );
    };
    process.once('SIGTERM', stop);
    process.once('SIGINT', stop);
  });
  return command;
}
