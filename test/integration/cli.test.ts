/** The `quickstow` command as users run it: a real child process, real signals. */
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { after, before, describe, it } from 'node:test';
import { runCli, spawnServe } from '../support/cli.js';
import { tempDir } from '../support/temp.js';

describe('quickstow command line', () => {
  let temp: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    temp = await tempDir();
  });
  after(() => temp.remove());

  it('documents every serve flag and its environment variable in --help', async () => {
    const run = await runCli(['serve', '--help']);
    assert.equal(run.code, 0);
    for (const flag of [
      '--port',
      '--host',
      '--mode',
      '--store',
      '--bucket',
      '--s3-endpoint',
      '--region',
      '--max-bytes',
      '--data-dir',
      '--auth-token-file',
    ]) {
      assert.match(run.stdout, new RegExp(`${flag}\\b`), flag);
    }
    assert.match(run.stdout, /env: QUICKSTOW_MAX_BYTES/);
    const top = await runCli(['--help']);
    assert.equal(top.code, 0);
    assert.match(top.stdout, /serve/);
  });

  it('refuses unknown flags, extra arguments and bad values with exit code 2', async () => {
    const cases: Array<[string[], RegExp]> = [
      [['serve', '--prot', '80'], /unknown option '--prot'/],
      [['serve', 'extra'], /too many arguments|unknown command|excess/i],
      [['serve', '--port', 'eighty'], /--port.*whole number/],
      [
        ['serve', '--port', '70000', '--data-dir', temp.dir],
        /port must be an integer from 0 to 65535/,
      ],
      [['serve', '--mode', 'fast'], /Allowed choices are sync, spool/],
      [['serve', '--max-bytes', '10 parsecs'], /expected bytes/],
      [['serve', '--store', 's3', '--data-dir', temp.dir], /bucket is required/],
      [['serve', '--s3-endpoint', 'not a url', '--data-dir', temp.dir], /s3Endpoint must be a URL/],
      [
        ['serve', '--auth-token-file', '/nonexistent/tokens', '--data-dir', temp.dir],
        /Cannot read the auth token file/,
      ],
      [['frobnicate'], /unknown command/],
    ];
    for (const [args, message] of cases) {
      const run = await runCli(args);
      assert.equal(run.code, 2, `${args.join(' ')}: ${run.stderr}`);
      assert.match(run.stderr, message, args.join(' '));
    }
  });

  it('takes any flag from its QUICKSTOW_* variable, and a bad one is refused', async () => {
    const bad = await runCli(['serve'], { QUICKSTOW_MAX_BYTES: 'lots' });
    assert.equal(bad.code, 2);
    assert.match(bad.stderr, /expected bytes/);
    const server = await spawnServe([], {
      QUICKSTOW_DATA_DIR: temp.dir,
      QUICKSTOW_MODE: 'sync',
      QUICKSTOW_MAX_BYTES: '1KiB',
    });
    try {
      const refused = await fetch(`${server.url}/payloads`, {
        method: 'POST',
        body: randomBytes(2048),
      });
      assert.equal(refused.status, 413);
      await refused.body?.cancel();
    } finally {
      assert.equal(await server.stop(), 0);
    }
  });

  it('serves, then exits 0 on SIGTERM and on SIGINT', async () => {
    for (const signal of ['SIGTERM', 'SIGINT'] as const) {
      const server = await spawnServe(['--data-dir', temp.dir, '--mode', 'sync']);
      const body = randomBytes(4096);
      const posted = await fetch(`${server.url}/payloads`, { method: 'POST', body });
      assert.equal(posted.status, 201);
      const { id } = (await posted.json()) as { id: string };
      const read = await fetch(`${server.url}/payloads/${id}`);
      assert.deepEqual(Buffer.from(await read.arrayBuffer()), body);
      assert.equal(await server.stop(signal), 0, server.output());
      assert.match(server.output(), /"msg":"stopped"/);
    }
  });
});
