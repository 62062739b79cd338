import { createHmac } from 'node:crypto';

// Duo Admin API request signing (signature version 2, HMAC-SHA1), as Duo documents it and its clients implement it:
//   canonical = Date \n METHOD \n host(lower-case) \n path \n params
// where params are sorted by key and each key and value is percent-encoded (RFC 3986: everything but
// A-Z a-z 0-9 - _ . ~). The signature is the hex HMAC-SHA1 of the canonical string keyed with the secret key, sent
// as HTTP Basic credentials `integration_key:signature`, with the same `Date` header.

/** RFC 3986 percent-encoding (encodeURIComponent also leaves !'()* alone; Duo's canonical form encodes them). */
export function duoEncode(s: string): string {
  return encodeURIComponent(s).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);
}

/** The canonical parameter string (also the query string actually sent, so both always agree). */
export function duoCanonParams(params: Readonly<Record<string, string>>): string {
  return Object.entries(params)
    .map(([k, v]) => [duoEncode(k), duoEncode(v)] as const)
    .sort(([a, av], [b, bv]) => (a < b ? -1 : a > b ? 1 : av < bv ? -1 : av > bv ? 1 : 0))
    .map(([k, v]) => `${k}=${v}`)
    .join('&');
}

/** RFC 2822 date in UTC, the form Duo's clients send (`Tue, 21 Aug 2012 17:29:18 -0000`). */
export function duoDate(d: Date): string {
  return d.toUTCString().replace(/GMT$/, '-0000');
}

/** What one signed request consists of. */
export interface DuoRequestParts {
  readonly method: string;
  readonly host: string;
  readonly path: string;
  readonly params: Readonly<Record<string, string>>;
  readonly date: string;
}

/** The canonical string that is signed. */
export function duoCanonical(r: DuoRequestParts): string {
  return [r.date, r.method.toUpperCase(), r.host.toLowerCase(), r.path, duoCanonParams(r.params)].join('\n');
}

/** Hex HMAC-SHA1 signature of a request. */
export function duoSignature(r: DuoRequestParts, secretKey: string): string {
  return createHmac('sha1', secretKey).update(duoCanonical(r)).digest('hex');
}

/** The `Date` and `Authorization` headers of a signed request. */
export function duoSignedHeaders(r: DuoRequestParts, integrationKey: string, secretKey: string): { date: string; authorization: string } {
  const sig = duoSignature(r, secretKey);
  return { date: r.date, authorization: `Basic ${Buffer.from(`${integrationKey}:${sig}`).toString('base64')}` };
}
