/**
 * Reading every acknowledged payload back and comparing it with what was sent: a bench that only
 * timed answers would reward a server for acknowledging what it then loses. Reads go to the store
 * itself (S3 GetObject) or, for a server the bench did not start, to its own GET /payloads/{id}.
 * A payload answered 202 is uploaded later, so a missing one is looked for again until a deadline;
 * one answered 201 must be there at once.
 */
import { createHash } from 'node:crypto';
import { GetObjectCommand, NoSuchKey, type S3Client } from '@aws-sdk/client-s3';
import { keyOf } from '../core/keys.js';
import { payloadsUrl } from './load.js';

export interface Acknowledged {
  target: string;
  concurrency: number;
  id: string;
  /** The receipt's key, if it named one. */
  key?: string;
  sha256: string;
  size: number;
  /** The receipt's own sha256 and size, if it had them. */
  receiptSha256?: string;
  receiptSize?: number;
  /** Answered 202: stored after the answer. */
  storedLater: boolean;
}

/** Bytes, or undefined when the store does not have the payload (yet). */
export type ReadPayload = (ack: Acknowledged) => Promise<Buffer | undefined>;

export interface Failure {
  ack: Acknowledged;
  problem: string;
}

export interface VerifyOptions {
  /** How long a payload stored later may take to appear. */
  timeoutMs: number;
  concurrency: number;
  retryIntervalMs?: number;
  onChecked?: () => void;
}

const defaultKeyPrefix = 'payloads/';

export function s3Reader(client: S3Client, bucket: string): ReadPayload {
  return async (ack) => {
    try {
      const response = await client.send(
        new GetObjectCommand({ Bucket: bucket, Key: ack.key ?? keyOf(defaultKeyPrefix, ack.id) }),
      );
      return Buffer.from((await response.Body?.transformToByteArray()) ?? []);
    } catch (error) {
      if (error instanceof NoSuchKey || (error as { name?: string }).name === 'NoSuchKey') {
        return undefined;
      }
      throw error;
    }
  };
}

export function contractReader(baseUrl: string): ReadPayload {
  return async (ack) => {
    const response = await fetch(payloadsUrl(baseUrl, ack.id));
    if (response.status === 404) return undefined;
    if (!response.ok) throw new Error(`GET /payloads/${ack.id}: HTTP ${response.status}`);
    return Buffer.from(await response.arrayBuffer());
  };
}

/** What is wrong with a payload read back, or undefined if it is the one sent. */
export function compare(ack: Acknowledged, bytes: Buffer): string | undefined {
  if (bytes.length !== ack.size) return `size ${bytes.length}, sent ${ack.size}`;
  const sha256 = createHash('sha256').update(bytes).digest('hex');
  return sha256 === ack.sha256 ? undefined : `sha256 ${sha256}, sent ${ack.sha256}`;
}

/** What the receipt itself got wrong, before anything is read back. */
export function checkReceipt(ack: Acknowledged): string | undefined {
  if (ack.receiptSize !== undefined && ack.receiptSize !== ack.size) {
    return `receipt says size ${ack.receiptSize}, sent ${ack.size}`;
  }
  if (ack.receiptSha256 !== undefined && ack.receiptSha256 !== ack.sha256) {
    return `receipt says sha256 ${ack.receiptSha256}, sent ${ack.sha256}`;
  }
  return undefined;
}

export async function verifyAll(
  acks: readonly Acknowledged[],
  read: ReadPayload,
  options: VerifyOptions,
): Promise<Failure[]> {
  const deadline = Date.now() + options.timeoutMs;
  const retryIntervalMs = options.retryIntervalMs ?? 250;
  const failures: Failure[] = [];
  const check = async (ack: Acknowledged): Promise<string | undefined> => {
    const receiptProblem = checkReceipt(ack);
    if (receiptProblem !== undefined) return receiptProblem;
    // A 201 gets a few tries only against a flaky read, not against a missing object.
    let attemptsLeft = ack.storedLater ? Number.POSITIVE_INFINITY : 3;
    for (;;) {
      attemptsLeft -= 1;
      let problem: string;
      try {
        const bytes = await read(ack);
        if (bytes !== undefined) return compare(ack, bytes);
        problem = 'not in the store';
        if (!ack.storedLater) return problem;
      } catch (error) {
        problem = `read failed: ${(error as Error).message}`;
      }
      if (attemptsLeft <= 0 || Date.now() >= deadline) {
        return ack.storedLater ? `${problem} after ${options.timeoutMs} ms` : problem;
      }
      await new Promise((resolve) => setTimeout(resolve, retryIntervalMs));
    }
  };
  let next = 0;
  const worker = async () => {
    for (let index = next++; index < acks.length; index = next++) {
      const ack = acks[index] as Acknowledged;
      const problem = await check(ack);
      if (problem !== undefined) failures.push({ ack, problem });
      options.onChecked?.();
    }
  };
  await Promise.all(Array.from({ length: Math.max(1, options.concurrency) }, worker));
  return failures;
}
