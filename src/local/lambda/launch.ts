/**
 * What a sandbox starts, and with which environment: the external extensions (every executable
 * file of the extensions folder, like /opt/extensions), the runtime (a custom `bootstrap` in the
 * code folder, else the real AWS runtime client aws-lambda-ric), and the variables Lambda sets.
 *
 * The environment is built from scratch, as on Lambda, not inherited from the emulator's own
 * process: a function must not see the host's credentials or NODE_OPTIONS by accident. Whatever
 * it needs from the host is passed in `env` (which overrides Lambda's variables too).
 */
import { constants } from 'node:fs';
import { access, readdir, stat } from 'node:fs/promises';
import { createRequire } from 'node:module';
import path from 'node:path';
import type { LambdaOptions } from './options.js';
import type { ProcessSpec } from './process-group.js';

const require = createRequire(import.meta.url);

/** index.mjs of the installed aws-lambda-ric (its entry reads the handler from _HANDLER). */
export function runtimeClientEntry(): string {
  return path.join(path.dirname(require.resolve('aws-lambda-ric/package.json')), 'index.mjs');
}

async function isExecutableFile(file: string): Promise<boolean> {
  try {
    if (!(await stat(file)).isFile()) return false;
    await access(file, constants.X_OK);
    return true;
  } catch {
    return false;
  }
}

/** The external extensions: executable files of the folder, by name (Lambda starts them all). */
export async function findExternalExtensions(extensionsDir: string): Promise<string[]> {
  if (extensionsDir === '') return [];
  const names = (await readdir(extensionsDir)).sort();
  const executable = await Promise.all(
    names.map((name) => isExecutableFile(path.join(extensionsDir, name))),
  );
  return names.filter((_, index) => executable[index]);
}

export interface SandboxIdentity {
  /** 32 hex digits, the tail of the log stream name. */
  sandboxId: string;
  logStreamName: string;
  provisioned: boolean;
}

export function functionArn(options: LambdaOptions): string {
  return `arn:aws:lambda:${options.region}:000000000000:function:${options.functionName}`;
}

export function logGroupName(options: LambdaOptions): string {
  return `/aws/lambda/${options.functionName}`;
}

/** `2026/03/01/[$LATEST]<sandbox id>`, as Lambda names a sandbox's log stream. */
export function logStreamName(sandboxId: string, now = new Date()): string {
  const date = now.toISOString().slice(0, 10).replaceAll('-', '/');
  return `${date}/[$LATEST]${sandboxId}`;
}

export function sandboxEnvironment(
  options: LambdaOptions,
  identity: SandboxIdentity,
  runtimeApi: string,
): Record<string, string> {
  return {
    // The host's node first, so that `#!/usr/bin/env node` extensions and bootstraps find it.
    PATH: [path.dirname(process.execPath), '/usr/local/bin', '/usr/bin', '/bin', '/opt/bin'].join(
      ':',
    ),
    LANG: 'en_US.UTF-8',
    TZ: ':UTC',
    AWS_REGION: options.region,
    AWS_DEFAULT_REGION: options.region,
    AWS_EXECUTION_ENV: 'AWS_Lambda_nodejs22.x',
    AWS_LAMBDA_FUNCTION_NAME: options.functionName,
    AWS_LAMBDA_FUNCTION_VERSION: '$LATEST',
    AWS_LAMBDA_FUNCTION_MEMORY_SIZE: String(options.memoryMb),
    AWS_LAMBDA_LOG_GROUP_NAME: logGroupName(options),
    AWS_LAMBDA_LOG_STREAM_NAME: identity.logStreamName,
    AWS_LAMBDA_INITIALIZATION_TYPE: identity.provisioned ? 'provisioned-concurrency' : 'on-demand',
    AWS_LAMBDA_RUNTIME_API: runtimeApi,
    AWS_XRAY_CONTEXT_MISSING: 'LOG_ERROR',
    LAMBDA_TASK_ROOT: options.codeDir,
    LAMBDA_RUNTIME_DIR: path.dirname(runtimeClientEntry()),
    _HANDLER: options.handler,
    ...options.env,
  };
}

export async function runtimeSpec(
  options: LambdaOptions,
  env: Record<string, string>,
): Promise<ProcessSpec> {
  const base = { role: 'runtime' as const, cwd: options.codeDir, env };
  const [command, ...args] = options.runtimeCommand;
  if (command !== undefined) return { ...base, name: path.basename(command), command, args };
  const bootstrap = path.join(options.codeDir, 'bootstrap');
  if (await isExecutableFile(bootstrap)) {
    return { ...base, name: 'bootstrap', command: bootstrap, args: [] };
  }
  // aws-lambda-ric reads the handler from _HANDLER; it is also passed as an argument, as the
  // managed runtime's bootstrap does, so that `ps` shows which handler a sandbox runs.
  return {
    ...base,
    name: 'aws-lambda-ric',
    command: process.execPath,
    args: [runtimeClientEntry(), options.handler],
  };
}

export function extensionSpec(
  options: LambdaOptions,
  name: string,
  env: Record<string, string>,
): ProcessSpec {
  return {
    role: 'extension',
    name,
    command: path.join(options.extensionsDir, name),
    args: [],
    cwd: options.codeDir,
    env,
  };
}
