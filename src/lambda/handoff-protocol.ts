/**
 * The protocol between the handler and the external extension (same sandbox: plain HTTP over a
 * Unix socket, see LambdaConfig.extensionSocket):
 *   POST /payloads/{id}               body = the bytes, header x-quickstow-meta = base64 JSON meta
 *                                     → 204 once held in the extension's memory; 503 when full
 *   GET  /payloads/{id}               → 200 bytes + x-quickstow-meta while held; 404 otherwise
 *   POST /invocations/{requestId}/done → 204: the handler is done with that invocation
 *   POST /shutdown                    → 204: the runtime got SIGTERM; drain now and exit
 */
import type { ObjectMeta } from '../store/types.js';

export const metaHeader = 'x-quickstow-meta';

export function encodeMeta(meta: ObjectMeta): string {
  return Buffer.from(JSON.stringify(meta)).toString('base64');
}

export function decodeMeta(header: string): ObjectMeta {
  return JSON.parse(Buffer.from(header, 'base64').toString('utf8')) as ObjectMeta;
}
