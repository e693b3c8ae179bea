import { randomBytes } from 'node:crypto';
import type { RedisClient } from './connection.js';
import { scriptsFor, type Script } from './scripts.js';

/** How often a release Redis did not get is tried again (ms). */
const RELEASE_RETRY_MS = 200;

/** A lease this process holds: renewed while held, released only if still ours. */
export interface Lease {
  readonly key: string;
  /** Stops renewing and deletes the lease if no one else took it meanwhile; never throws. */
  release(): Promise<void>;
}

export interface LeaseOptions {
  /** Time to live (ms); renewed every third of it while held, so it lapses soon after a crash. */
  ttlMs: number;
  /** How long `acquire` waits for a taken lease (ms); 0 (the default) tries once. */
  waitMs?: number;
  /** Pause between attempts while waiting (ms). */
  retryMs?: number;
}

/**
 * Exclusive leases in Redis (SET NX PX): one holder at a time, lapsing by themselves if their
 * holder dies. The poller's per-site poll lease and the conflict ledger lock are both these.
 */
export class Leases {
  private readonly run: Record<'lease-renew' | 'lease-release', Script>;

  constructor(private readonly redis: RedisClient) {
    this.run = scriptsFor(redis);
  }

  /** Takes the lease at `key`, or answers null when another holder keeps it past `waitMs`. */
  async acquire(key: string, opts: LeaseOptions): Promise<Lease | null> {
    const token = `${process.pid}:${randomBytes(9).toString('base64url')}`;
    const deadline = Date.now() + (opts.waitMs ?? 0);
    for (;;) {
      let taken: string | null;
      try {
        taken = await this.redis.set(key, token, 'PX', opts.ttlMs, 'NX');
      } catch (err) {
        // Redis may have set the lease and lost only its answer (it died or the connection broke
        // after the write): nobody holds that lease, so let it go once Redis answers again.
        this.releaseLater(key, token, opts.ttlMs);
        throw err;
      }
      if (taken !== null) break;
      if (Date.now() >= deadline) return null;
      await new Promise((r) => setTimeout(r, opts.retryMs ?? 25));
    }
    const renew = setInterval(() => {
      void this.run['lease-renew']([key], [token, opts.ttlMs]).catch(() => undefined);
    }, Math.max(1, Math.floor(opts.ttlMs / 3)));
    renew.unref();
    let released = false;
    return {
      key,
      release: async () => {
        if (released) return;
        released = true;
        clearInterval(renew);
        await this.run['lease-release']([key], [token]).catch(() => this.releaseLater(key, token, opts.ttlMs));
      },
    };
  }

  /**
   * Keeps trying to release a lease Redis could not be told about (it was unreachable, or lost the
   * answer) until it answers or the lease has lapsed anyway. Without this, a Redis restart from
   * its AOF brought back leases whose holders had long finished: every poll of the site answered
   * `busy`, and conflict checks waited for the ledger lock, for up to the lease's whole TTL.
   */
  private releaseLater(key: string, token: string, ttlMs: number): void {
    const until = Date.now() + ttlMs;
    const attempt = () => {
      if (Date.now() > until) return;
      const timer = setTimeout(() => {
        this.run['lease-release']([key], [token]).catch(attempt);
      }, RELEASE_RETRY_MS);
      timer.unref();
    };
    attempt();
  }

  /** Runs `fn` holding the lease; throws when it cannot be taken within `waitMs`. */
  async with<T>(key: string, opts: LeaseOptions, fn: () => Promise<T>): Promise<T> {
    const lease = await this.acquire(key, opts);
    if (!lease) throw new Error(`lease ${key} stayed taken for ${opts.waitMs ?? 0} ms`);
    try {
      return await fn();
    } finally {
      await lease.release();
    }
  }
}
