/*
 * Tolerant readers for the unvalidated tree, so cross-reference checks can run even when some
 * other part of the file is invalid. Anything of the wrong type reads as absent: the schema
 * reports it.
 */

export function rec(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === 'object' && !Array.isArray(value) ? (value as Record<string, unknown>) : undefined;
}

export function arr(value: unknown): unknown[] {
  return Array.isArray(value) ? value : [];
}

export function str(value: unknown): string | undefined {
  return typeof value === 'string' && value !== '' ? value : undefined;
}

/** `value` when it is one of `values`, else undefined. */
export function member<const T extends string>(value: unknown, values: readonly T[]): T | undefined {
  return values.find((v) => v === value);
}
