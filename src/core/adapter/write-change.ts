import type { SourceAdapter, WriteRequest } from './port.js';

/**
 * The write-back of one modified item (DESIGN §6): in place where the adapter can (`modify`), so
 * the booking keeps its id, history and guest at the source; else a new booking, whose caller then
 * cancels the old one once every new booking stands. `inPlace` tells the caller which: the old
 * booking of an in-place change is the new one and must not be cancelled.
 */
export async function writeChange(adapter: SourceAdapter, req: WriteRequest, previousExternalId: string | undefined):
Promise<{ externalId: string; inPlace: boolean }> {
  if (previousExternalId !== undefined && adapter.modify) {
    const changed = await adapter.modify({ ...req, externalId: previousExternalId });
    if (changed) return { externalId: changed.externalId, inPlace: true };
  }
  return { externalId: (await adapter.reserve(req)).externalId, inPlace: false };
}
