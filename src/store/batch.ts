import type { RedisClient } from './connection.js';
import type { Durability } from './replication.js';
import { RESERVATION_CHANGING, waitForReplicas } from './replication.js';
import { luaFile, type ScriptName, type ScriptRunners } from './scripts.js';

/**
 * The scripts of the widget path (a read, a hold). Calls of these made in the
 * same turn of the event loop go to Redis as one script call: under load, many concurrent
 * requests then cost one round trip and one script invocation between them, instead of one each
 * (on a machine where Redis, the API and its clients share the cores, per-call overhead in Redis
 * and in the client's socket writes was the largest cost of a read; docs/benchmarks.md).
 */
const BATCHED = ['availability-read', 'hold-claim'] as const satisfies readonly ScriptName[];
type Batched = (typeof BATCHED)[number];

const BATCH_COMMAND = 'avhub_batch';

/**
 * Batches on their way at once. 1, 2 and 4 measured the same (docs/benchmarks.md); 1 makes the
 * largest batches.
 */
const MAX_IN_FLIGHT = 1;

/**
 * One script that runs each batched script as a function of its own KEYS and ARGV, in the order
 * the calls were made, in batch mode (includes/batch.lua: one clock reading, sweep, rate-limit
 * count and open-hold count per batch). Each call is its own unit: one call's runtime error
 * becomes that call's error and the others still run (as separate scripts would); the batch as a
 * whole is atomic, which is no weaker than each call being atomic.
 *
 * ARGV[1] JSON [[script index (1-based in BATCHED), [keys], [args as strings]], ...]: one
 * argument instead of hundreds, because a command's cost in the client (ioredis flattens and
 * encodes every argument) and in Redis (one object per argument) grew with them, while one JSON
 * text costs one JSON.stringify and one cjson.decode. KEYS[1]: the first call's first key, for
 * Cluster routing (every key of the hub carries its hash tag, so all are in that slot).
 * Returns per call its script's reply (false for nil), or {'~batch-error', message}.
 */
function batchSource(): string {
  const bodies = BATCHED.map((name, i) => {
    const body = luaFile(`${name}.lua`).replace(/^-- @include common\s*$/m, '');
    if (/^-- @include /m.test(body)) throw new Error(`${name}.lua includes more than common: batch.ts inlines common only`);
    return `local function run_${i + 1}(KEYS, ARGV)\n${body}\nend`;
  });
  return [
    luaFile('includes/common.lua'),
    luaFile('includes/batch.lua'),
    ...bodies,
    `local scripts = { ${BATCHED.map((_, i) => `run_${i + 1}`).join(', ')} }`,
    `local reads_versions = ${BATCHED.indexOf('availability-read') + 1}
local calls = cjson.decode(ARGV[1])
local out = {}
for i, c in ipairs(calls) do
  if c[1] == reads_versions then batch_reads_versions() end
  local ok, res = pcall(scripts[c[1]], c[2], c[3])
  if not ok then
    out[i] = { '~batch-error', type(res) == 'table' and tostring(res.err) or tostring(res) }
  elseif res == nil then
    out[i] = false
  else
    out[i] = res
  end
end
flush_batch()
return out`,
  ].join('\n');
}

let source: string | undefined;

/** A call's keys and arguments. */
export interface ScriptCall {
  keys: string[];
  /** Text and numbers only: a batch carries them in a JSON text. */
  args: Array<string | number>;
}

interface Queued {
  name: Batched;
  /** Built when the turn's calls are sent, so callers can add to a call until then. */
  build: () => ScriptCall;
  resolve: (value: unknown) => void;
  reject: (err: unknown) => void;
}

type Runner = (...call: Array<string | number | Buffer>) => Promise<unknown>;

/**
 * Queues calls of the batched scripts and sends the queue at the end of the current event-loop
 * turn (setImmediate: after the poll phase has handed every readable socket to its request), or,
 * while a batch is still on its way, as soon as that batch is answered: one batch in flight at a
 * time, like a database's group commit. An idle hub sends each call at once; under load the
 * batches grow with the load instead of the round trips (each round trip costs a write that wakes
 * Redis and a read that wakes this process). Every call is still sent after it was made, so a
 * read made after a write was answered sees that write. Alone, a call goes as its own script, as
 * before; with others, all go as one batch script. With `durability`, a batch holding a
 * reservation-changing call is followed by WAIT, like that script alone would be.
 */
export class ScriptBatcher {
  private readonly batch: Runner;
  private queue: Queued[] = [];
  private scheduled = false;
  private inFlight = 0;

  constructor(private readonly redis: RedisClient, private readonly runners: ScriptRunners,
    private readonly durability: Durability | undefined) {
    source ??= batchSource();
    if (!(BATCH_COMMAND in redis)) redis.defineCommand(BATCH_COMMAND, { lua: source });
    this.batch = (redis as unknown as Record<string, Runner>)[BATCH_COMMAND]!.bind(redis);
  }

  /** Runs `name` with these keys and arguments in the next batch. */
  call(name: Batched, keys: string[], args: Array<string | number>): Promise<unknown> {
    return this.late(name, () => ({ keys, args }));
  }

  /** Runs `name` in the next batch with the keys and arguments `build` gives when the batch is sent. */
  late(name: Batched, build: () => ScriptCall): Promise<unknown> {
    return new Promise((resolve, reject) => {
      this.queue.push({ name, build, resolve, reject });
      this.schedule();
    });
  }

  private schedule(): void {
    if (this.scheduled || this.inFlight >= MAX_IN_FLIGHT || this.queue.length === 0) return;
    this.scheduled = true;
    setImmediate(() => {
      this.scheduled = false;
      this.flush();
    });
  }

  private flush(): void {
    const queued: Queued[] = [];
    const calls: ScriptCall[] = [];
    for (const q of this.queue) {
      try {
        calls.push(q.build());
        queued.push(q);
      } catch (err) {
        q.reject(err);
      }
    }
    this.queue = [];
    if (queued.length === 0) return;
    this.inFlight++;
    const answered = () => {
      this.inFlight--;
      this.schedule();
    };
    if (queued.length === 1) {
      const [q] = queued as [Queued];
      const [c] = calls as [ScriptCall];
      this.runners[q.name](c.keys, c.args).then((reply) => {
        answered();
        q.resolve(reply);
      }, (err: unknown) => {
        answered();
        q.reject(err);
      });
      return;
    }
    this.send(queued, calls).then((replies) => {
      answered();
      queued.forEach((q, i) => {
        const reply = replies[i];
        if (Array.isArray(reply) && reply[0] === '~batch-error') q.reject(new Error(`${q.name}: ${String(reply[1])}`));
        else q.resolve(reply);
      });
    }, (err: unknown) => {
      answered();
      for (const q of queued) q.reject(err);
    });
  }

  private async send(queued: Queued[], calls: ScriptCall[]): Promise<unknown[]> {
    const payload = JSON.stringify(calls.map((c, i) => [BATCHED.indexOf(queued[i]!.name) + 1, c.keys, c.args.map(text)]));
    const call = [1, calls[0]!.keys[0] ?? '', payload];
    const d = this.durability;
    if (d && d.replicas > 0 && queued.some((q) => RESERVATION_CHANGING.includes(q.name))) {
      return await waitForReplicas(this.redis, d, BATCH_COMMAND, call) as unknown[];
    }
    return await this.batch(...call) as unknown[];
  }
}

/** An argument as Redis would have received it on its own (ioredis sends numbers as their text). */
function text(arg: string | number): string {
  return typeof arg === 'string' ? arg : String(arg);
}
