export {
  type IdempotencyEntry,
  IdempotencyIndex,
  type IdempotencyIndexOptions,
  maxKeyLength,
} from './idempotency-index.js';
