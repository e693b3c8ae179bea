import { describe, expect, it } from 'vitest';
import { linkNext } from './pull.js';

/** RFC 8288 Link headers as APIs send them (GitHub, WordPress): only rel="next" is followed. */
describe('linkNext', () => {
  it('finds rel="next" among other relations, quoted or not, in any order or case', () => {
    expect(linkNext('<https://pms/b?page=3>; rel="next", <https://pms/b?page=9>; rel="last"')).toBe('https://pms/b?page=3');
    expect(linkNext('<https://pms/b?page=1>; rel="prev", </b?page=3>; rel=next')).toBe('/b?page=3');
    expect(linkNext('<https://pms/b?p=2>; title="x"; rel="NEXT nofollow"')).toBe('https://pms/b?p=2');
  });

  it('no next: the last page', () => {
    expect(linkNext(null)).toBeUndefined();
    expect(linkNext('<https://pms/b?page=1>; rel="first", <https://pms/b?page=1>; rel="prev"')).toBeUndefined();
    expect(linkNext('garbage')).toBeUndefined();
  });
});
