import assert from 'node:assert/strict';
import { after, before, describe, it } from 'node:test';
import { type ApiServer, startApiServer } from '../../src/local/lambda/api-server.js';
import { ExtensionsApi, type RegisteredExtension } from '../../src/local/lambda/extensions-api.js';
import { maxResponseBytes, RuntimeApi } from '../../src/local/lambda/runtime-api.js';

/** The Runtime and Extensions APIs over real HTTP, with a recording listener instead of a sandbox. */
function harness(externalNames: string[] = ['ext-a']) {
  const seen: string[] = [];
  const runtimeApi = new RuntimeApi({
    onNext: () => seen.push('runtime next'),
    onResponse: (id, payload) => seen.push(`response ${id} ${payload.toString()}`),
    onResponseTooLarge: (id, bytes) => seen.push(`too large ${id} ${bytes}`),
    onInvocationError: (id, error) =>
      seen.push(`error ${id} ${error.errorType} ${error.errorMessage}`),
    onInitError: (error) => seen.push(`init error ${error.errorType} ${error.errorMessage}`),
  });
  const extensionsApi = new ExtensionsApi(
    { functionName: 'f', functionVersion: '$LATEST', handler: 'index.handler' },
    externalNames,
    {
      onRegister: (e: RegisteredExtension) => seen.push(`register ${e.name} ${e.external}`),
      onIdle: (e) => seen.push(`idle ${e.name}`),
      onInitError: (e, error) => seen.push(`ext init error ${e.name} ${error.errorType}`),
      onExitError: (e, error) => seen.push(`ext exit error ${e.name} ${error.errorType}`),
    },
  );
  return { seen, runtimeApi, extensionsApi };
}

const invocation = (requestId: string) => ({
  requestId,
  event: Buffer.from('{"hello":"world"}'),
  deadlineMs: 1_900_000_000_000,
  invokedFunctionArn: 'arn:aws:lambda:us-east-1:000000000000:function:f',
  traceId: 'Root=1-00000000-000000000000000000000000;Parent=0000000000000000;Sampled=0',
});

describe('Runtime API (2018-06-01)', () => {
  let server: ApiServer;
  let h: ReturnType<typeof harness>;
  let base: string;
  before(async () => {
    h = harness();
    server = await startApiServer(
      [...h.runtimeApi.routes(), ...h.extensionsApi.routes()],
      maxResponseBytes,
    );
    base = `http://${server.address}/2018-06-01/runtime`;
  });
  after(() => server.close());

  it('accepts an init error before the first next, without the error-type header', async () => {
    const response = await fetch(`${base}/init/error`, {
      method: 'POST',
      body: JSON.stringify({ errorMessage: 'no module', errorType: 'Runtime.ImportModuleError' }),
    });
    assert.equal(response.status, 202);
    assert.deepEqual(await response.json(), { status: 'OK' });
    assert.ok(h.seen.includes('init error Runtime.ImportModuleError no module'));
  });

  it('holds next until there is an event, then gives it with its headers', async () => {
    const next = fetch(`${base}/invocation/next`);
    await waitFor(() => h.runtimeApi.isWaitingForEvent);
    assert.ok(h.seen.includes('runtime next'));
    h.runtimeApi.deliver(invocation('req-1'));
    const response = await next;
    assert.equal(response.status, 200);
    assert.equal(response.headers.get('lambda-runtime-aws-request-id'), 'req-1');
    assert.equal(response.headers.get('lambda-runtime-deadline-ms'), '1900000000000');
    assert.equal(
      response.headers.get('lambda-runtime-invoked-function-arn'),
      'arn:aws:lambda:us-east-1:000000000000:function:f',
    );
    assert.match(response.headers.get('lambda-runtime-trace-id') ?? '', /^Root=1-/);
    assert.deepEqual(await response.json(), { hello: 'world' });
  });

  it('refuses init errors once init is over, and next before the answer', async () => {
    const late = await fetch(`${base}/init/error`, { method: 'POST', body: '{}' });
    assert.equal(late.status, 403);
    assert.equal((await bodyOf(late)).errorType, 'InvalidStateTransition');
    const early = await fetch(`${base}/invocation/next`);
    assert.equal(early.status, 403);
    assert.equal((await bodyOf(early)).errorType, 'InvalidStateTransition');
  });

  it('takes one answer: 202, then 403 for a second, 400 for an unknown id', async () => {
    const unknown = await fetch(`${base}/invocation/nope/response`, { method: 'POST', body: '1' });
    assert.equal(unknown.status, 400);
    assert.equal((await bodyOf(unknown)).errorType, 'InvalidRequestID');
    const first = await fetch(`${base}/invocation/req-1/response`, {
      method: 'POST',
      body: '"ok"',
    });
    assert.equal(first.status, 202);
    assert.deepEqual(await first.json(), { status: 'OK' });
    assert.ok(h.seen.includes('response req-1 "ok"'));
    const second = await fetch(`${base}/invocation/req-1/response`, { method: 'POST', body: '2' });
    assert.equal(second.status, 403);
    assert.equal((await bodyOf(second)).errorType, 'InvalidStateTransition');
    const error = await fetch(`${base}/invocation/req-1/error`, { method: 'POST', body: '{}' });
    assert.equal(error.status, 403);
  });

  it('answers 400 for the id of a finished invocation', async () => {
    const next = fetch(`${base}/invocation/next`);
    await waitFor(() => h.runtimeApi.isWaitingForEvent);
    const old = await fetch(`${base}/invocation/req-1/response`, { method: 'POST', body: '3' });
    assert.equal(old.status, 400);
    assert.equal((await bodyOf(old)).errorType, 'InvalidRequestID');
    h.runtimeApi.deliver(invocation('req-2'));
    await (await next).text();
  });

  it('takes an invocation error, the type from the body or else the header', async () => {
    const response = await fetch(`${base}/invocation/req-2/error`, {
      method: 'POST',
      headers: { 'Lambda-Runtime-Function-Error-Type': 'Custom.Header' },
      body: JSON.stringify({ errorMessage: 'bad', stackTrace: [] }),
    });
    assert.equal(response.status, 202);
    assert.ok(h.seen.includes('error req-2 Custom.Header bad'));
  });

  it('answers 413 to a response over 6 MB (6291456 bytes) and reports it', async () => {
    const next = fetch(`${base}/invocation/next`);
    await waitFor(() => h.runtimeApi.isWaitingForEvent);
    h.runtimeApi.deliver(invocation('req-3'));
    await (await next).text();
    const response = await fetch(`${base}/invocation/req-3/response`, {
      method: 'POST',
      body: Buffer.alloc(maxResponseBytes + 1, 0x61),
    });
    assert.equal(response.status, 413);
    assert.equal((await bodyOf(response)).errorType, 'RequestEntityTooLarge');
    assert.ok(h.seen.includes(`too large req-3 ${maxResponseBytes + 1}`));
  });

  it('takes a response of exactly 6291456 bytes', async () => {
    const next = fetch(`${base}/invocation/next`);
    await waitFor(() => h.runtimeApi.isWaitingForEvent);
    h.runtimeApi.deliver(invocation('req-4'));
    await (await next).text();
    const response = await fetch(`${base}/invocation/req-4/response`, {
      method: 'POST',
      body: Buffer.alloc(maxResponseBytes, 0x61),
    });
    assert.equal(response.status, 202);
  });

  it('answers 404 to an unknown path and 405 to a wrong method', async () => {
    assert.equal((await fetch(`${base}/nothing`)).status, 404);
    assert.equal((await fetch(`${base}/invocation/next`, { method: 'POST' })).status, 405);
  });
});

describe('Extensions API (2020-01-01)', () => {
  let server: ApiServer;
  let h: ReturnType<typeof harness>;
  let base: string;
  before(async () => {
    h = harness(['ext-a']);
    server = await startApiServer(
      [...h.runtimeApi.routes(), ...h.extensionsApi.routes()],
      maxResponseBytes,
    );
    base = `http://${server.address}/2020-01-01/extension`;
  });
  after(() => server.close());

  const register = (name: string, events: unknown) =>
    fetch(`${base}/register`, {
      method: 'POST',
      headers: { 'Lambda-Extension-Name': name },
      body: JSON.stringify({ events }),
    });

  it('registers an external extension by its file name', async () => {
    const response = await register('ext-a', ['INVOKE', 'SHUTDOWN']);
    assert.equal(response.status, 200);
    assert.match(response.headers.get('lambda-extension-identifier') ?? '', /^[0-9a-f-]{36}$/);
    assert.deepEqual(await response.json(), {
      functionName: 'f',
      functionVersion: '$LATEST',
      handler: 'index.handler',
    });
    assert.ok(h.seen.includes('register ext-a true'));
    assert.equal(h.extensionsApi.allExternalsRegistered, true);
  });

  it('refuses an internal extension asking for SHUTDOWN, and unknown events', async () => {
    const shutdown = await register('in-process', ['INVOKE', 'SHUTDOWN']);
    assert.equal(shutdown.status, 403);
    assert.equal((await bodyOf(shutdown)).errorType, 'Extension.InvalidEventType');
    const unknown = await register('in-process', ['LUNCH']);
    assert.equal(unknown.status, 403);
    assert.equal((await bodyOf(unknown)).errorType, 'Extension.InvalidEventType');
    const again = await register('ext-a', ['INVOKE']);
    assert.equal(again.status, 403);
    const nameless = await register('', ['INVOKE']);
    assert.equal((await bodyOf(nameless)).errorType, 'Extension.InvalidExtensionName');
  });

  it('queues INVOKE for a busy extension and hands it over at its next (the latch)', async () => {
    const registered = await register('in-process', ['INVOKE']);
    const id = registered.headers.get('lambda-extension-identifier') ?? '';
    assert.ok(h.seen.includes('register in-process false'));
    // Not waiting yet: the INVOKE is queued, and handed over as soon as it asks.
    h.extensionsApi.broadcastInvoke({
      eventType: 'INVOKE',
      deadlineMs: 123,
      requestId: 'req-9',
      invokedFunctionArn: 'arn:f',
      tracing: { type: 'X-Amzn-Trace-Id', value: 'Root=1-x' },
    });
    const response = await fetch(`${base}/event/next`, {
      headers: { 'Lambda-Extension-Identifier': id },
    });
    assert.equal(response.status, 200);
    assert.deepEqual(await response.json(), {
      eventType: 'INVOKE',
      deadlineMs: 123,
      requestId: 'req-9',
      invokedFunctionArn: 'arn:f',
      tracing: { type: 'X-Amzn-Trace-Id', value: 'Root=1-x' },
    });
    assert.equal(h.extensionsApi.allIdle, false);
  });

  it('sends SHUTDOWN to external extensions only, to a held next', async () => {
    const registered = h.extensionsApi.registered.find((e) => e.name === 'ext-a');
    const headers = { 'Lambda-Extension-Identifier': registered?.id ?? '' };
    // ext-a was subscribed to INVOKE too: its first next gets the INVOKE queued for it.
    const invoke = await bodyOf(await fetch(`${base}/event/next`, { headers }));
    assert.equal(invoke.eventType, 'INVOKE');
    const next = fetch(`${base}/event/next`, { headers });
    await waitFor(() => h.seen.includes('idle ext-a'));
    const count = h.extensionsApi.broadcastShutdown({
      eventType: 'SHUTDOWN',
      shutdownReason: 'spindown',
      deadlineMs: 456,
    });
    assert.equal(count, 1);
    assert.deepEqual(await (await next).json(), {
      eventType: 'SHUTDOWN',
      shutdownReason: 'spindown',
      deadlineMs: 456,
    });
  });

  it('takes init and exit errors, refuses unknown or missing identifiers', async () => {
    const id = h.extensionsApi.registered.find((e) => e.name === 'ext-a')?.id ?? '';
    const initError = await fetch(`${base}/init/error`, {
      method: 'POST',
      headers: {
        'Lambda-Extension-Identifier': id,
        'Lambda-Extension-Function-Error-Type': 'Extension.Bad',
      },
    });
    assert.equal(initError.status, 202);
    assert.ok(h.seen.includes('ext init error ext-a Extension.Bad'));
    const exitError = await fetch(`${base}/exit/error`, {
      method: 'POST',
      headers: {
        'Lambda-Extension-Identifier': id,
        'Lambda-Extension-Function-Error-Type': 'Extension.Gone',
      },
    });
    assert.equal(exitError.status, 202);
    assert.ok(h.seen.includes('ext exit error ext-a Extension.Gone'));
    const unknown = await fetch(`${base}/event/next`, {
      headers: { 'Lambda-Extension-Identifier': '00000000-0000-0000-0000-000000000000' },
    });
    assert.equal(unknown.status, 403);
    assert.equal((await bodyOf(unknown)).errorType, 'Extension.UnknownExtensionIdentifier');
    const missing = await fetch(`${base}/event/next`);
    assert.equal(missing.status, 403);
    assert.equal((await bodyOf(missing)).errorType, 'Extension.MissingExtensionIdentifier');
  });

  it('refuses the eleventh extension, and any once registration is closed', async () => {
    for (let i = h.extensionsApi.registered.length; i < 10; i++) {
      assert.equal((await register(`internal-${i}`, ['INVOKE'])).status, 200);
    }
    const eleventh = await register('internal-10', ['INVOKE']);
    assert.equal(eleventh.status, 403);
    assert.equal((await bodyOf(eleventh)).errorType, 'Extension.TooManyExtensions');
    h.extensionsApi.closeRegistration();
    const closed = await register('late', ['INVOKE']);
    assert.equal(closed.status, 403);
    assert.equal((await bodyOf(closed)).errorType, 'Extension.RegistrationClosed');
  });
});

async function bodyOf(response: Response): Promise<Record<string, unknown>> {
  return (await response.json()) as Record<string, unknown>;
}

async function waitFor(condition: () => boolean, timeoutMs = 2000): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  while (!condition()) {
    if (Date.now() > deadline) throw new Error('condition not met in time');
    await new Promise((resolve) => setTimeout(resolve, 5));
  }
}
