/**
 * The invented organisation behind the benchmark corpus: users with skewed activity, their devices, IPs and
 * sessions, and a seeded PRNG. Everything is deterministic for a seed (sfc32 seeded through splitmix32).
 */

/** Seeded pseudo-random numbers. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Integer in [min, max]. */
  int(min: number, max: number): number;
  pick<T>(items: readonly T[]): T;
  /** One value by weight. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T;
  /** n characters of an alphabet. */
  chars(n: number, alphabet: string): string;
  /** A random version-4 shaped UUID. */
  uuid(): string;
}

export const HEX = '0123456789abcdef';
export const ALNUM = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
export const UPPER_DIGITS = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ234567';

/** sfc32 seeded through splitmix32: 32-bit integer arithmetic only, the same stream on every platform. */
export function createRng(seed: number): Rng {
  let s = seed >>> 0;
  const split = (): number => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
  let a = split(), b = split(), c = split(), d = split();
  const u32 = (): number => {
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = ((c << 21) | (c >>> 11)) >>> 0;
    c = (c + t) >>> 0;
    return t;
  };
  const next = (): number => u32() / 4294967296;
  const rng: Rng = {
    next,
    int: (min, max) => min + Math.floor(next() * (max - min + 1)),
    pick: (items) => items[Math.floor(next() * items.length)] as (typeof items)[number],
    weighted(pairs) {
      let total = 0;
      for (const [, w] of pairs) total += w;
      let x = next() * total;
      for (const [v, w] of pairs) {
        x -= w;
        if (x < 0) return v;
      }
      return (pairs[pairs.length - 1] as readonly [never, number])[0];
    },
    chars(n, alphabet) {
      let out = '';
      for (let i = 0; i < n; i++) out += alphabet[Math.floor(next() * alphabet.length)];
      return out;
    },
    uuid() {
      const h = rng.chars(32, HEX);
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${'89ab'[Math.floor(next() * 4)]}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
  };
  return rng;
}

const FIRST = ['alice', 'bob', 'carol', 'dave', 'erin', 'frank', 'grace', 'heidi', 'ivan', 'judy', 'mallory', 'niaj', 'olivia',
  'peggy', 'rupert', 'sybil', 'trent', 'victor', 'walter', 'xena', 'yusuf', 'zoe', 'amir', 'bea', 'chen', 'dana', 'emil', 'fatima'];
const LAST = ['nguyen', 'martin', 'smith', 'garcia', 'mueller', 'kowalski', 'rossi', 'dubois', 'tanaka', 'silva', 'novak', 'jensen',
  'okafor', 'haddad', 'larsen', 'moreau', 'schmidt', 'ivanova', 'costa', 'berg'];
const CITIES = [
  { city: 'Berlin', state: 'Land Berlin', country: 'Germany', cc: 'DE', postal: '10115', lat: 52.52, lon: 13.405 },
  { city: 'Amsterdam', state: 'North Holland', country: 'Netherlands', cc: 'NL', postal: '1012', lat: 52.3676, lon: 4.9041 },
  { city: 'London', state: 'England', country: 'United Kingdom', cc: 'GB', postal: 'EC1A', lat: 51.5072, lon: -0.1276 },
  { city: 'Lisbon', state: 'Lisbon', country: 'Portugal', cc: 'PT', postal: '1100', lat: 38.7223, lon: -9.1393 },
  { city: 'Austin', state: 'Texas', country: 'United States', cc: 'US', postal: '73301', lat: 30.2672, lon: -97.7431 },
] as const;
export type City = (typeof CITIES)[number];

export const USER_AGENTS = [
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36',
  'Mozilla/5.0 (Windows NT 10.0; Win64; x64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/133.0.0.0 Safari/537.36 Edg/133.0.0.0',
  'Mozilla/5.0 (Macintosh; Intel Mac OS X 10.15; rv:135.0) Gecko/20100101 Firefox/135.0',
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/132.0.0.0 Safari/537.36',
  'Mozilla/5.0 (iPhone; CPU iPhone OS 18_3 like Mac OS X) AppleWebKit/605.1.15 (KHTML, like Gecko) Version/18.3 Mobile/15E148 Safari/604.1',
] as const;

/** Okta factor types and how often users have them as their main factor. */
export const FACTORS = [['OKTA_VERIFY_PUSH', 40], ['FIDO_WEBAUTHN', 20], ['GOOGLE_OTP', 15], ['SIGNED_NONCE', 15], ['SMS', 10]] as const;

/** One person of the organisation. */
export interface Person {
  readonly login: string;
  readonly email: string;
  readonly display: string;
  readonly oktaId: string;
  readonly entraId: string;
  readonly city: City;
  readonly ips: readonly string[];
  readonly agent: string;
  readonly factor: string;
  readonly team: 'sre' | 'dev' | 'dba' | 'data' | 'sales';
  /** Mutable per-source session state. */
  readonly sessions: Record<string, { id: string; left: number }>;
}

/** The organisation: people (activity is skewed: a few are very active), hosts, roles, accounts. */
export interface World {
  readonly rng: Rng;
  readonly people: readonly Person[];
  /** Picks the next actor with a Zipf-like skew. */
  actor(): Person;
  /** Session id for a person and source; a new one every ~7 events. */
  session(p: Person, source: string, fresh: () => string): string;
  readonly account: string;
}

/** Builds the world for a seed. */
export function createWorld(seed: number, size = 5000): World {
  const rng = createRng(seed);
  const people: Person[] = [];
  for (let i = 0; i < size; i++) {
    const first = rng.pick(FIRST);
    const last = rng.pick(LAST);
    const login = `${first}.${last}${i}`;
    const city = rng.pick(CITIES);
    const ipCount = rng.int(1, 3);
    const ips = Array.from({ length: ipCount }, () => (rng.next() < 0.5 ? `203.0.${rng.int(0, 255)}.${rng.int(1, 254)}` : `198.51.${rng.int(0, 255)}.${rng.int(1, 254)}`));
    people.push({
      login,
      email: `${login}@example.com`,
      display: `${first[0]?.toUpperCase()}${first.slice(1)} ${last[0]?.toUpperCase()}${last.slice(1)}`,
      oktaId: `00u${rng.chars(17, ALNUM)}`,
      entraId: rng.uuid(),
      city,
      ips,
      agent: rng.pick(USER_AGENTS),
      factor: rng.weighted(FACTORS),
      team: rng.weighted([['sre', 15], ['dev', 40], ['dba', 5], ['data', 15], ['sales', 25]] as const),
      sessions: {},
    });
  }
  // Zipf-like: weight 1/(rank+10), sampled through a cumulative table.
  const cumulative: number[] = [];
  let total = 0;
  for (let i = 0; i < size; i++) {
    total += 1 / (i + 10);
    cumulative.push(total);
  }
  const actor = (): Person => {
    const x = rng.next() * total;
    let lo = 0, hi = size - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cumulative[mid] as number) < x) lo = mid + 1;
      else hi = mid;
    }
    return people[lo] as Person;
  };
  const session = (p: Person, source: string, fresh: () => string): string => {
    const s = p.sessions[source];
    if (s && s.left > 0) {
      s.left--;
      return s.id;
    }
    const id = fresh();
    p.sessions[source] = { id, left: rng.int(2, 12) };
    return id;
  };
  return { rng, people, actor, session, account: '111122223333' };
}

/** ISO instant with milliseconds. */
export function isoMs(ms: number): string {
  return new Date(ms).toISOString();
}

/** ISO instant without milliseconds (CloudTrail, Entra). */
export function isoS(ms: number): string {
  return `${new Date(ms).toISOString().slice(0, 19)}Z`;
}
