/** `quickstow local` as users run it: a real child process, real signals, nothing left behind. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { assertNoSandboxProcesses, uniqueFunctionName } from '../fixtures/lambda/harness.js';
import { runCli, spawnLocal } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('quickstow local (command line)', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    temp = await tempDir();
  });
  after(() => temp.remove());

  it('documents its flags in --help and refuses bad ones', async () => {
    const help = await runCli(['local', '--help']);
    assert.equal(help.code, 0);
    for (const flag of [
      '--port',
      '--host',
      '--api',
      '--concurrency',
      '--prewarm',
      '--timeout',
      '--memory',
      '--env',
      '--extensions',
      '--code',
      '--handler',
      '--mode',
      '--extension',
      '--store',
      '--bucket',
      '--s3-endpoint',
    ]) {
      assert.match(help.stdout, new RegExp(`${flag}\\b`), flag);
    }
    for (const [args, message] of [
      [['local', '--api', 'soap'], /Allowed choices are rest, http/],
      [['local', '--env', 'NOEQUALS'], /KEY=VALUE/],
      [['local', '--handler', 'app.handler', '--data-dir', temp.dir], /--handler needs --code/],
      [['local', '--code', '/nonexistent/code', '--data-dir', temp.dir], /does not exist/],
    ] as const) {
      const run = await runCli([...args]);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message);
    }
  });

  it('serves quickstow through API Gateway + Lambda, and leaves no process on SIGINT', async () => {
    const functionName = uniqueFunctionName('cli');
    const local = await spawnLocal([
      '--function-name',
      functionName,
      '--mode',
      'sync',
      '--data-dir',
      temp.dir,
      '--api',
      'http',
    ]);
    try {
      const body = randomBytes(300_000);
      const posted = await fetch(`${local.url}/payloads`, { method: 'POST', body });
      assert.equal(posted.status, 201);
      const { id } = (await posted.json()) as { id: string };
      const read = await fetch(`${local.url}/payloads/${id}`);
      assert.deepEqual(Buffer.from(await read.arrayBuffer()), body);
      assert.match(
        local.output(),
        /REPORT RequestId: \S+\tDuration: [\d.]+ ms\tBilled Duration: \d+ ms\tMemory Size: 1024 MB\tMax Memory Used: \d+ MB\tInit Duration/,
      );
    } finally {
      assert.equal(await local.stop('SIGINT'), 0);
    }
    await assertNoSandboxProcesses(functionName);
  });
});
