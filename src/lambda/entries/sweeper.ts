/**
 * The sweeper entry, run on a schedule (every minute): uploads what sandboxes that died left in
 * the shared spool folder (../sweeper.ts), and what after-response could not upload in time and
 * kept in the fallback folder (../fallback-sweep.ts).
 */
import type { LambdaContext } from 'hono/aws-lambda';
import { lambdaConfigFromEnv } from '../config.js';
import { sweepFallback } from '../fallback-sweep.js';
import { sweep } from '../sweeper.js';
import { LambdaTelemetry } from '../telemetry.js';
import { openWarmStore } from '../warm-store.js';

const telemetry = new LambdaTelemetry('sweeper');
const config = lambdaConfigFromEnv();
const store = await openWarmStore(config, telemetry.logger);

export const handler = async (_event: unknown, context: LambdaContext) => {
  const staleAfterMs = process.env.QUICKSTOW_SWEEP_STALE_AFTER_MS;
  const deadlineMs = Date.now() + context.getRemainingTimeInMillis() - 2000;
  const result =
    config.spoolDir === ''
      ? undefined
      : await sweep({
          spoolDir: config.spoolDir,
          store,
          logger: telemetry.logger,
          deadlineMs,
          staleAfterMs: staleAfterMs === undefined ? undefined : Number(staleAfterMs),
          segmentMaxBytes: config.shared.segmentMaxBytes,
          uploadConcurrency: config.shared.uploadConcurrency,
        });
  const fallback =
    config.fallbackDir === ''
      ? undefined
      : await sweepFallback(config.fallbackDir, store, telemetry.logger, deadlineMs);
  telemetry.logger.info({ ...result, fallback }, 'sweep done');
  return { ...result, fallback };
};
