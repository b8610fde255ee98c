/**
 * The naive handler of the Lambda family (`local-naive`): what people write first. It decodes the
 * event's body, awaits PutObject, then answers 201 {id, key}: the whole S3 round trip is inside
 * every response. The client is created during init (as every Lambda guide says) and runs with the
 * SDK's defaults: credentials and region from the standard chain, its keep-alive agent, its
 * checksums. Only the endpoint and path-style addressing are set, for an S3-compatible endpoint.
 * Bundled by scripts/build-lambda.ts into dist-lambda/bench/naive/index.mjs.
 *   BENCH_BUCKET (required), BENCH_S3_ENDPOINT (optional)
 */
import { randomUUID } from 'node:crypto';
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { eventBody, type GatewayEvent, type GatewayResult, json } from './event.js';

const bucket = process.env.BENCH_BUCKET;
if (bucket === undefined || bucket === '') throw new Error('BENCH_BUCKET is required');
const endpoint = process.env.BENCH_S3_ENDPOINT;
const s3 = new S3Client(
  endpoint === undefined || endpoint === '' ? {} : { endpoint, forcePathStyle: true },
);

export const handler = async (event: GatewayEvent): Promise<GatewayResult> => {
  const id = randomUUID();
  const key = `payloads/${new Date().toISOString().slice(0, 10).replace(/-/g, '/')}/${id}`;
  await s3.send(new PutObjectCommand({ Bucket: bucket, Key: key, Body: eventBody(event) }));
  return json(201, { id, key });
};
