import type { ObjectMeta, ObjectStore } from '../store/types.js';
import type { Committer, PayloadView } from './types.js';

/** `sync`: the answer waits for the store to confirm the PUT, so every acked payload is stored. */
export class SyncCommitter implements Committer {
  readonly durability = 'sync';

  constructor(private readonly store: ObjectStore) {}

  commit(_id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    return this.store.put(meta, body);
  }

  async head(_id: string, key: string): Promise<PayloadView | undefined> {
    const meta = await this.store.head(key);
    return meta && { meta, state: 'stored' };
  }

  async get(_id: string, key: string): Promise<(PayloadView & { body: Buffer }) | undefined> {
    const object = await this.store.get(key);
    return object && { meta: object.meta, body: object.body, state: 'stored' };
  }

  ready(): Promise<void> {
    return this.store.ping();
  }

  async close(): Promise<void> {}
}
