/** What the front reports through its `log` callback: one entry per request, like an access log. */
import type { InvokeOutcome } from '../types.js';
import type { GatewayFailure } from './gateway-response.js';

export interface InvokeSummary {
  lambdaRequestId: string;
  outcome: InvokeOutcome['kind'];
  coldStart: boolean;
  /** The REPORT line of the invoke, as CloudWatch would show it. */
  report: string;
  /** From the invoke's start to its result. */
  integrationLatencyMs: number;
}

export type FrontLogEntry =
  | {
      type: 'request';
      /** API Gateway's request id (not Lambda's). */
      requestId: string;
      method: string;
      path: string;
      status: number;
      /** From the request's arrival to its answer. */
      latencyMs: number;
      /** Absent when Lambda was not called (body over the limit) or had not answered in time. */
      invoke?: InvokeSummary;
      /** Set when the gateway answered on its own. */
      failure?: { kind: GatewayFailure; detail: string };
      /** The invoker threw instead of reporting an outcome: a bug on the Lambda side. */
      error?: unknown;
    }
  | {
      /** The integration timed out, and the invoke it had started has now ended. */
      type: 'invoke-after-timeout';
      requestId: string;
      invoke?: InvokeSummary;
      error?: unknown;
    };
