/**
 * The Lambda-only durability mode, `after-response`, as Committers: the payload is acknowledged
 * (202) from memory and uploaded after the response by an extension, internal (the same process,
 * PendingUploads) or external (a separate process reached over loopback, HandoffClient).
 */
import type { Committer, PayloadView } from '../modes/types.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import type { HandoffClient } from './handoff-client.js';
import type { PendingUploads } from './pending-uploads.js';

abstract class AfterResponseCommitter implements Committer {
  readonly durability = 'after-response';

  constructor(protected readonly store: ObjectStore) {}

  abstract commit(id: string, meta: ObjectMeta, body: Buffer): Promise<void>;
  protected abstract pending(id: string): Promise<{ meta: ObjectMeta; body: Buffer } | undefined>;

  async head(id: string, key: string): Promise<PayloadView | undefined> {
    const held = await this.pending(id);
    if (held !== undefined) return { meta: held.meta, state: 'pending' };
    const meta = await this.store.head(key);
    return meta && { meta, state: 'stored' };
  }

  async get(id: string, key: string): Promise<(PayloadView & { body: Buffer }) | undefined> {
    const held = await this.pending(id);
    if (held !== undefined) return { ...held, state: 'pending' };
    const object = await this.store.get(key);
    return object && { ...object, state: 'stored' };
  }

  ready(): Promise<void> {
    return this.store.ping();
  }

  async close(): Promise<void> {}
}

export class InternalAfterResponseCommitter extends AfterResponseCommitter {
  constructor(
    store: ObjectStore,
    private readonly uploads: PendingUploads,
  ) {
    super(store);
  }

  async commit(id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    this.uploads.add({ id, meta, body, ackedAtMs: Date.now() });
  }

  protected async pending(id: string) {
    return this.uploads.get(id);
  }
}

export class ExternalAfterResponseCommitter extends AfterResponseCommitter {
  constructor(
    store: ObjectStore,
    private readonly handoff: HandoffClient,
  ) {
    super(store);
  }

  commit(id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    return this.handoff.send(id, meta, body);
  }

  protected pending(id: string) {
    return this.handoff.fetch(id);
  }
}
