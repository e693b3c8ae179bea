import { createHash, timingSafeEqual } from 'node:crypto';

/**
 * Compares two secrets (tokens, keys) in constant time whatever their lengths: both are hashed
 * first, so neither the content nor the length leaks through timing.
 */
export function sameSecret(a: string, b: string): boolean {
  return timingSafeEqual(createHash('sha256').update(a).digest(), createHash('sha256').update(b).digest());
}
