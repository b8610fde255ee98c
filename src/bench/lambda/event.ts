/**
 * What the bench's own Lambda handlers (floor.ts, naive.ts) need of an API Gateway event: its
 * body as bytes, and a JSON result. REST (payload 1.0), HTTP API (2.0) and Function URL events
 * carry the body the same way: a string, base64 when isBase64Encoded.
 */
export interface GatewayEvent {
  body?: string | null;
  isBase64Encoded?: boolean;
}

export interface GatewayResult {
  statusCode: number;
  headers: Record<string, string>;
  body: string;
}

export function eventBody(event: GatewayEvent): Buffer {
  const body = event.body ?? '';
  return Buffer.from(body, event.isBase64Encoded ? 'base64' : 'utf8');
}

export function json(statusCode: number, value: unknown): GatewayResult {
  return {
    statusCode,
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(value),
  };
}
