import { HubError } from '../core/errors.js';
import type { RedisClient } from './connection.js';
import { commandOf, scriptsFor, type ScriptName, type ScriptRunners } from './scripts.js';

/** Scripts that change holds or reservations: the ones a confirmation must not lose in a failover. */
export const RESERVATION_CHANGING: readonly ScriptName[] = [
  'hold-claim', 'hold-confirm', 'hold-release', 'reservation-cancel', 'reservation-modify',
  'writeback-done', 'writeback-failed',
];

/** `redis.waitReplicas`: how many replicas must acknowledge a change, and for how long to wait. */
export interface Durability {
  replicas: number;
  timeoutMs: number;
}

type PipelineWithScripts = Record<string, (...args: Array<string | number | Buffer>) => unknown> & {
  wait(replicas: number, timeoutMs: number): unknown;
  exec(): Promise<Array<[Error | null, unknown]> | null>;
};

/**
 * The connection's script runners, where each reservation-changing script is followed by
 * `WAIT replicas timeout` in the same pipeline: on a Cluster the pipeline goes to the master of the
 * scripts' slot, so WAIT asks that master's replicas. A change fewer replicas acknowledged in time
 * is refused with 503 `not-replicated`: it did happen on the master, so the client's retry with the
 * same Idempotency-Key gets the original answer once replication caught up, and a failover
 * meanwhile cannot turn an answered confirmation into a lost one.
 */
export function durableScripts(redis: RedisClient, durability: Durability | undefined): ScriptRunners {
  const plain = scriptsFor(redis);
  if (!durability || durability.replicas <= 0) return plain;
  const out = { ...plain };
  for (const name of RESERVATION_CHANGING) {
    out[name] = (keys, args) => waitForReplicas(redis, durability, commandOf(name), [keys.length, ...keys, ...args]);
  }
  return out;
}

/**
 * Runs one script command (`command` with its numkeys, keys and arguments) followed by `WAIT`
 * in one pipeline, and answers the script's reply once enough replicas acknowledged it.
 */
export async function waitForReplicas(redis: RedisClient, durability: Durability, command: string,
  call: Array<string | number | Buffer>): Promise<unknown> {
  const pipe = redis.pipeline() as unknown as PipelineWithScripts;
  pipe[command]!(...call);
  pipe.wait(durability.replicas, durability.timeoutMs);
  const [[scriptErr, result] = [null, null], [waitErr, acked] = [null, 0]] = (await pipe.exec()) ?? [];
  if (scriptErr) throw scriptErr;
  if (waitErr) throw waitErr;
  if (Number(acked) < durability.replicas) {
    throw new HubError(503, 'not-replicated', 'Not replicated',
      `the change reached ${Number(acked)} of ${durability.replicas} Redis replicas within ${durability.timeoutMs} ms; retry with the same Idempotency-Key`,
      { replicas: Number(acked), required: durability.replicas });
  }
  return result;
}
