/**
 * The floor of the Lambda family (`local-floor`): a handler that does the least any handler can
 * do with a payload behind API Gateway. It decodes the event's body (base64 under a REST API with
 * binaryMediaTypes), hashes it (SHA-256: every honest ingest hashes) and answers 201 {id, sha256};
 * it stores nothing. Its latency is the cost of the emulated API Gateway + Lambda path (the body
 * base64-encoded into a JSON event, the Runtime API hops, the result mapped back) plus one hash:
 * what quickstow's own handler is measured against. Bundled by scripts/build-lambda.ts into
 * dist-lambda/bench/floor/index.mjs and run with `quickstow local --code … --handler index.handler`.
 */
import { createHash, randomUUID } from 'node:crypto';
import { eventBody, type GatewayEvent, type GatewayResult, json } from './event.js';

export const handler = async (event: GatewayEvent): Promise<GatewayResult> => {
  const sha256 = createHash('sha256').update(eventBody(event)).digest('hex');
  return json(201, { id: randomUUID(), sha256 });
};
