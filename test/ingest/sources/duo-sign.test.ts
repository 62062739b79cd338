import { describe, expect, it } from 'vitest';
import { duoCanonical, duoCanonParams, duoDate, duoEncode, duoSignedHeaders } from '../../../ingest/sources/duo-sign.ts';

// The example request of Duo's API documentation (integration key, secret key and date are Duo's published
// sample values), signed with signature version 2 (HMAC-SHA1).
const IKEY = 'DIWJ8X6AEYOR5OMC6TQ1';
const SKEY = 'Zh5eGmUq9zpfQnyUIu5OL9iWoMMv5ZNmk3zLJ4Ep';
const DATE = 'Tue, 21 Aug 2012 17:29:18 -0000';
const params = { username: 'root', realname: 'First Last' };

describe('Duo request signing', () => {
  it('builds the canonical string: date, method, lower-cased host, path, sorted encoded params', () => {
    expect(duoCanonical({ method: 'post', host: 'api-XXXXXXXX.duosecurity.com', path: '/accounts/v1/account/list', params, date: DATE }))
      .toBe(`${DATE}\nPOST\napi-xxxxxxxx.duosecurity.com\n/accounts/v1/account/list\nrealname=First%20Last&username=root`);
  });

  it('matches the documented signatures', () => {
    const a = duoSignedHeaders({ method: 'POST', host: 'api-XXXXXXXX.duosecurity.com', path: '/accounts/v1/account/list', params, date: DATE }, IKEY, SKEY);
    expect(a.authorization).toBe('Basic RElXSjhYNkFFWU9SNU9NQzZUUTE6MmQ5N2Q2MTY2MzE5NzgxYjVhM2EwN2FmMzlkMzY2ZjQ5MTIzNGVkYw==');
    expect(a.date).toBe(DATE);
    const b = duoSignedHeaders({ method: 'POST', host: 'api-xxxxxxxx.duosecurity.com', path: '/admin/v1/users', params, date: DATE }, IKEY, SKEY);
    expect(Buffer.from(b.authorization.slice(6), 'base64').toString()).toBe(`${IKEY}:c1ef43767c3eb3b3258dbddca6f8d0941e085b92`);
  });

  it('percent-encodes like RFC 3986 (comma of next_offset, reserved !\'()*) and sorts keys', () => {
    expect(duoEncode("a,b !'()*~-_.")).toBe('a%2Cb%20%21%27%28%29%2A~-_.');
    expect(duoCanonParams({ next_offset: '1741683485118,7f61270e', mintime: '1741651200000', maxtime: '1741716000000', limit: '1000' }))
      .toBe('limit=1000&maxtime=1741716000000&mintime=1741651200000&next_offset=1741683485118%2C7f61270e');
  });

  it('formats the Date header as RFC 2822 with -0000', () => {
    expect(duoDate(new Date('2012-08-21T17:29:18Z'))).toBe(DATE);
  });
});
