import { randomFillSync } from 'node:crypto';

/** Bytes fetched from the system's CSPRNG at a time. */
const POOL_BYTES = 4096;

let pool = Buffer.alloc(0);
let used = 0;

/**
 * `n` bytes from the operating system's cryptographic random source, as base64url. The source is
 * asked for 4 KB at a time and each byte handed out once: one `getrandom` per ~200 hold ids
 * instead of one per id, which was a tenth of a hold's CPU time (docs/benchmarks.md). The
 * bytes are exactly as unpredictable; Node's randomUUID pools its entropy the same way.
 */
export function randomToken(n: number): string {
  if (n > POOL_BYTES) return randomFillSync(Buffer.alloc(n)).toString('base64url');
  if (used + n > pool.length) {
    pool = randomFillSync(Buffer.allocUnsafe(POOL_BYTES));
    used = 0;
  }
  const out = pool.toString('base64url', used, used + n);
  // Handed out: wipe it, so nothing later can read it back from the pool.
  pool.fill(0, used, used + n);
  used += n;
  return out;
}
