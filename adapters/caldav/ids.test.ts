import { describe, expect, it } from 'vitest';
import {
  calendarPathOf, canonicalPath, idPrefixOf, objectNameOf, objectPathOfExternalId, reservationObjectName,
} from './ids.js';

describe('CalDAV ids', () => {
  it('canonicalizes paths so servers that quote differently give the same ids', () => {
    expect(canonicalPath('/north/main%2Dhall/')).toBe('/north/main-hall/');
    expect(canonicalPath('/north/caf\u00e9/')).toBe('/north/caf%C3%A9/');
    expect(calendarPathOf('http://dav.test/north/caf%c3%a9')).toBe('/north/caf%C3%A9/');
    expect(objectNameOf('/north/hall/a%40b.ics', 'http://dav.test/north/hall/')).toBe('a%40b.ics');
    expect(objectNameOf('http://dav.test/north/hall/a@b.ics', 'http://dav.test/')).toBe('a%40b.ics');
  });

  it('reads the object path back from an external id', () => {
    const id = `${idPrefixOf('/north/hall/', 'avhub-k.ics')}avhub-k@availability-hub`;
    expect(objectPathOfExternalId(id)).toBe('/north/hall/avhub-k.ics');
    expect(objectPathOfExternalId(`${idPrefixOf('/north/hall/', 'e.ics')}uid#with#hashes@20270325`)).toBe('/north/hall/e.ics');
    expect(objectPathOfExternalId('google-event-id')).toBeNull();
  });

  it('derives the write-back name from the idempotency key alone', () => {
    expect(reservationObjectName('res-42-w1')).toBe('avhub-res-42-w1.ics');
    const odd = reservationObjectName('res 42/w:1');
    expect(odd).toMatch(/^avhub-h[0-9a-f]{40}\.ics$/);
    expect(reservationObjectName('res 42/w:1')).toBe(odd);
    expect(reservationObjectName('.hidden')).not.toBe('avhub-.hidden.ics');
  });
});
