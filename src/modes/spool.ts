import { QuickstowError } from '../core/errors.js';
import type { Spool } from '../spool/index.js';
import type { ObjectMeta, ObjectStore } from '../store/types.js';
import type { Committer, PayloadView } from './types.js';

/**
 * `spool`: the answer waits for the fsync of the payload's record in the local spool; the spool's
 * uploader moves it to the store afterwards. Reads look in the spool first (read-your-writes)
 * and fall back to the store once the record is stored and its segment gone.
 */
export class SpoolCommitter implements Committer {
  readonly durability = 'spool';

  constructor(
    private readonly spool: Spool,
    private readonly store: ObjectStore,
  ) {}

  commit(id: string, meta: ObjectMeta, body: Buffer): Promise<void> {
    return this.spool.append(id, meta, body);
  }

  async head(id: string, key: string): Promise<PayloadView | undefined> {
    const spooled = this.spool.head(id);
    const state = this.spool.state(id);
    if (spooled !== undefined && state !== undefined) return { meta: spooled, state };
    const meta = await this.store.head(key);
    return meta && { meta, state: 'stored' };
  }

  async get(id: string, key: string): Promise<(PayloadView & { body: Buffer }) | undefined> {
    if (this.spool.state(id) === 'pending') {
      const spooled = await this.spool.read(id);
      if (spooled !== undefined) return { ...spooled, state: 'pending' };
    }
    const object = await this.store.get(key);
    return object && { meta: object.meta, body: object.body, state: 'stored' };
  }

  /** Ready means what the contract says: the spool is writable and the store reachable. */
  async ready(): Promise<void> {
    if (!(await this.spool.writable())) {
      throw new QuickstowError('spool-failed', 503, 'The spool folder is not writable', {
        headers: { 'retry-after': '5' },
      });
    }
    await this.store.ping();
  }

  close(drainMs: number): Promise<void> {
    return this.spool.close({ drainMs });
  }
}
