/** Concurrent POST load for crash and outage tests: records what was acknowledged, and how. */
import { createHash, randomBytes } from 'node:crypto';

export interface Acked {
  id: string;
  key: string;
  sha256: string;
  size: number;
}

export interface LoadResult {
  acked: Acked[];
  /** Answers that were not 2xx, by status. */
  refused: Map<number, number>;
  /** Requests that got no answer (connection reset or refused). */
  failed: number;
}

/** Posts fresh random bodies from `workers` loops until `stop()` is called or the server dies. */
export function startLoad(url: string, options: { workers: number; size: number }) {
  const result: LoadResult = { acked: [], refused: new Map(), failed: 0 };
  let running = true;
  const worker = async () => {
    while (running) {
      const body = randomBytes(options.size);
      try {
        const response = await fetch(`${url}/payloads`, { method: 'POST', body });
        const json = (await response.json()) as Record<string, unknown>;
        if (response.status === 202 || response.status === 201) {
          const sha256 = createHash('sha256').update(body).digest('hex');
          if (json.sha256 !== sha256)
            throw new Error(`receipt sha256 ${String(json.sha256)} is not ${sha256}`);
          result.acked.push({
            id: String(json.id),
            key: String(json.key),
            sha256,
            size: body.length,
          });
        } else {
          result.refused.set(response.status, (result.refused.get(response.status) ?? 0) + 1);
        }
      } catch (error) {
        if (error instanceof Error && error.message.startsWith('receipt')) throw error;
        result.failed += 1;
        await new Promise((resolve) => setTimeout(resolve, 20));
      }
    }
  };
  const workers = Array.from({ length: options.workers }, () => worker());
  return {
    result,
    stop: async () => {
      running = false;
      await Promise.all(workers);
      return result;
    },
  };
}
