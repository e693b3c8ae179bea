import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { closedNights, isStopSell, mewsRestriction, restrictionsPage } from './restrictions.js';

/**
 * The restrictions mapper on the response example Mews publishes for `restrictions/getAll`
 * (MewsSystems/gitbook-connector-api, operations/restrictions.md, "Get all restrictions" →
 * Response; https://docs.mews.com/connector-api/operations/restrictions#get-all-restrictions),
 * kept as is in fixtures/restrictions-getall.docs.json.
 */
const DOC = JSON.parse(readFileSync(new URL('./fixtures/restrictions-getall.docs.json', import.meta.url), 'utf8')) as unknown;
const CATEGORY = '86336EAC-4168-46B1-A544-2A47251BF864';
const OCTOBER = Array.from({ length: 31 }, (_, i) => `2018-10-${String(i + 1).padStart(2, '0')}`);

describe('mews restrictions on the documented getAll example', () => {
  const restrictions = restrictionsPage.parse(DOC).Restrictions.map((r) => mewsRestriction.parse(r));

  it('neither documented restriction is a stop-sell: one has exceptions (min/max stay and price), one is closed to arrival', () => {
    expect(restrictions.map((r) => isStopSell(r, true))).toEqual([false, false]);
    expect(closedNights(restrictions, new Map([[CATEGORY, 'double']]), OCTOBER, 'UTC', true)).toEqual([]);
  });

  it('the first one without its exceptions closes its weekends, 9 to 31 October inclusive, for its category only, when it names the hub rate', () => {
    const stay = { ...restrictions[0]!, Exceptions: null };
    const categories = new Map([[CATEGORY, 'double'], ['other', 'single']]);
    expect(closedNights([stay], categories, OCTOBER, 'UTC', true).map((c) => `${c.resource}@${c.date}`)).toEqual([
      'double@2018-10-13', 'double@2018-10-14', 'double@2018-10-20', 'double@2018-10-21', 'double@2018-10-27', 'double@2018-10-28',
    ]);
    // A site without rateId cannot tell whether an ExactRateId restriction is its rate's: not closed.
    expect(closedNights([stay], categories, OCTOBER, 'UTC', false)).toEqual([]);
  });

  it('an interval bound at a time unit start in the property zone: the EndUtc night is included', () => {
    const r = mewsRestriction.parse({
      Id: 'x', ServiceId: 's', Conditions: { Type: 'Stay', StartUtc: '2018-10-09T22:00:00Z', EndUtc: '2018-10-10T22:00:00Z' },
    });
    expect(closedNights([r], new Map([['c', 'double']]), OCTOBER, 'Europe/Prague', false).map((c) => c.date)).toEqual(['2018-10-10', '2018-10-11']);
  });
});
