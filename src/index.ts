/**
 * `quickstow`: the server and its parts. Narrower entry points keep a bundle small:
 * `quickstow/core`, `quickstow/http`, `quickstow/server`, `quickstow/store/fs`,
 * `quickstow/store/s3`, and `quickstow/lambda` (the Lambda handler entry).
 */
export * from './core/index.js';
export { type AppDeps, createApp } from './http/app.js';
export { type RunningServer, type StartOptions, startServer } from './server/start.js';
export { FsStore } from './store/fs.js';
export { S3Store } from './store/s3.js';
export type { ObjectMeta, ObjectStore, StoredObject } from './store/types.js';
