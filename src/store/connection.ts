import { Cluster, Redis, type ClusterNode, type RedisOptions } from 'ioredis';

/** A connection to the hub's Redis: one primary, or a Redis Cluster. */
export type RedisClient = Redis | Cluster;

/** Where the hub's Redis is, as the config says it (`redis.url`, or `redis.cluster.nodes`). */
export interface RedisTarget {
  /** One primary (`redis://` or `rediss://`). Ignored when `cluster` is set. */
  url?: string | undefined;
  /** Seed nodes of a Redis Cluster; the client discovers the rest and follows MOVED and ASK. */
  cluster?: { nodes: string[] } | undefined;
}

/** How a connection behaves while Redis is away. */
export interface ConnectionMode {
  /**
   * Commands fail at once while disconnected instead of waiting in a queue: the API answers 503
   * rather than hanging. BullMQ connections never fail fast (`maxRetriesPerRequest: null`).
   */
  failFast?: boolean;
  /** For BullMQ: every command waits for the connection, however long (BullMQ requires it). */
  forBullMQ?: boolean;
  connectTimeoutMs?: number;
  /** Connect only when `connect()` is called (default), or at once. */
  lazy?: boolean;
}

/** Splits a redis:// URL into the options ioredis wants per node (credentials, TLS, database). */
function nodeOptions(url: string): { node: ClusterNode; options: RedisOptions } {
  const u = new URL(url);
  const options: RedisOptions = {};
  if (u.username) options.username = decodeURIComponent(u.username);
  if (u.password) options.password = decodeURIComponent(u.password);
  if (u.protocol === 'rediss:') options.tls = {};
  return { node: { host: u.hostname, port: Number(u.port || 6379) }, options };
}

/**
 * Opens a client for the target without waiting for it to connect. On Cluster, every node gets
 * the first seed URL's credentials and TLS setting (a managed cluster uses one set for all).
 */
export function openClient(target: RedisTarget, mode: ConnectionMode = {}): RedisClient {
  const perCommandRetries = mode.forBullMQ ? null : mode.failFast ? 1 : null;
  if (target.cluster) {
    const seeds = target.cluster.nodes.map(nodeOptions);
    const cluster = new Cluster(seeds.map((s) => s.node), {
      lazyConnect: mode.lazy ?? true,
      // Reads go to masters: a replica may lag, and holds must read what they wrote.
      scaleReads: 'master',
      // While a replica is being promoted the slot has no master for a few seconds: commands wait
      // and retry instead of failing, so a failover costs latency, not errors.
      enableOfflineQueue: true,
      retryDelayOnFailover: 200,
      retryDelayOnClusterDown: 300,
      retryDelayOnTryAgain: 200,
      clusterRetryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
      redisOptions: {
        ...seeds[0]?.options,
        connectTimeout: mode.connectTimeoutMs ?? 3_000,
        maxRetriesPerRequest: perCommandRetries === null ? null : 20,
      },
    });
    cluster.on('error', () => undefined);
    return cluster;
  }
  const redis = new Redis(target.url ?? 'redis://127.0.0.1:6379', {
    lazyConnect: mode.lazy ?? true,
    connectTimeout: mode.connectTimeoutMs ?? 3_000,
    maxRetriesPerRequest: perCommandRetries,
    enableOfflineQueue: !mode.failFast || mode.forBullMQ === true,
    retryStrategy: (attempt) => Math.min(200 * attempt, 2_000),
  });
  // Reconnects are retried; callers see failures per command.
  redis.on('error', () => undefined);
  return redis;
}

/** The target for log lines and errors, with any password replaced by `***`. */
export function describeTarget(target: RedisTarget): string {
  return target.cluster
    ? `cluster ${target.cluster.nodes.map(redactUrl).join(', ')}`
    : redactUrl(target.url ?? 'redis://127.0.0.1:6379');
}

function redactUrl(url: string): string {
  return url.replace(/\/\/([^@/]*)@/, '//***@');
}

/** Every master of the target (one primary is its own only master), for per-node checks. */
export function mastersOf(client: RedisClient): Redis[] {
  return client instanceof Cluster ? client.nodes('master') : [client];
}
