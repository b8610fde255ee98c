/** `quickstow/core`: the ingest pipeline and what it is made of, free of I/O. */
export * from './config.js';
export * from './digest.js';
export * from './errors.js';
export * from './ids.js';
export * from './ingest.js';
export * from './keys.js';
export * from './ports.js';
export * from './receipt.js';
