export type { BackoffOptions } from './backoff.js';
export type { RecordMeta } from './frame.js';
export type { SpoolFile, SpoolFs } from './fs.js';
export { nodeFs } from './fs.js';
export { Spool, type SpooledPayload, type SpoolOptions } from './spool.js';
export type { SpoolEvent, SpoolStats } from './types.js';
