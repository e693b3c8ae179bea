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
 * the calls were made. Each call is its own unit: one call's runtime error becomes that call's
 * error and the others still run (as separate scripts would); the batch as a whole is atomic,
 * which is no weaker than each call being atomic.
 *
 * ARGV[1] number of calls n; then per call three: script index (1-based in BATCHED), key count,
 * argument count; then every call's arguments in order. KEYS: every call's keys in order.
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
    ...bodies,
    `local scripts = { ${BATCHED.map((_, i) => `run_${i + 1}`).join(', ')} }`,
    `local n = tonumber(ARGV[1])
local k, a = 1, 2 + 3 * n
local out = {}
for i = 1, n do
  local fn = scripts[tonumber(ARGV[3 * i - 1])]
  local nk, na = tonumber(ARGV[3 * i]), tonumber(ARGV[3 * i + 1])
  local keys, args = {}, {}
  for j = 1, nk do keys[j] = KEYS[k + j - 1] end
  for j = 1, na do args[j] = ARGV[a + j - 1] end
  k, a = k + nk, a + na
  local ok, res = pcall(fn, keys, args)
  if not ok then
    out[i] = { '~batch-error', type(res) == 'table' and tostring(res.err) or tostring(res) }
  elseif res == nil then
    out[i] = false
  else
    out[i] = res
  end
end
return out`,
  ].join('\n');
}

let source: string | undefined;

/** A call's keys and arguments. */
export interface ScriptCall {
  keys: string[];
  args: Array<string | number | Buffer>;
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
  call(name: Batched, keys: string[], args: Array<string | number | Buffer>): Promise<unknown> {
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
    const keys: string[] = [];
    const head: Array<string | number> = [calls.length];
    const args: Array<string | number | Buffer> = [];
    calls.forEach((c, i) => {
      head.push(BATCHED.indexOf(queued[i]!.name) + 1, c.keys.length, c.args.length);
      keys.push(...c.keys);
      args.push(...c.args);
    });
    const call = [keys.length, ...keys, ...head, ...args];
    const d = this.durability;
    if (d && d.replicas > 0 && queued.some((q) => RESERVATION_CHANGING.includes(q.name))) {
      return await waitForReplicas(this.redis, d, BATCH_COMMAND, call) as unknown[];
    }
    return await this.batch(...call) as unknown[];
  }
}
