/**
 * A map with least-recently-used eviction bounded by an estimate of the bytes its values hold:
 * the prepared reads and serialized answers of availability queries (widgets ask the same few
 * queries over and over, but a caller could send endless distinct ones).
 */
export class ByteLru<V> {
  private readonly entries = new Map<string, { value: V; bytes: number }>();
  private total = 0;
  /** The most recently used key: using it again moves nothing (the common case: one hot query). */
  private newest: string | undefined;

  constructor(private readonly maxBytes: number) {}

  /** The value of `key`, now the most recently used. */
  get(key: string): V | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (key !== this.newest) {
      this.entries.delete(key);
      this.entries.set(key, entry);
      this.newest = key;
    }
    return entry.value;
  }

  /** Sets `key` (the key's length counts too); drops the least recently used until under the bound. */
  set(key: string, value: V, bytes: number): void {
    this.delete(key);
    const size = bytes + key.length + 64;
    if (size > this.maxBytes) return; // larger than the whole budget: never kept
    this.entries.set(key, { value, bytes: size });
    this.newest = key;
    this.total += size;
    for (const [oldest, entry] of this.entries) {
      if (this.total <= this.maxBytes) break;
      this.entries.delete(oldest);
      if (oldest === this.newest) this.newest = undefined;
      this.total -= entry.bytes;
    }
  }

  private delete(key: string): void {
    const entry = this.entries.get(key);
    if (!entry) return;
    this.entries.delete(key);
    if (key === this.newest) this.newest = undefined;
    this.total -= entry.bytes;
  }

  /** Bytes held (estimate), for tests and metrics. */
  get bytes(): number {
    return this.total;
  }
}
