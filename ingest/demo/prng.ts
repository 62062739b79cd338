/**
 * Seeded pseudo-random numbers for the demo generator. Deterministic across runs and platforms: only
 * 32-bit integer arithmetic (sfc32 seeded through splitmix32), no Math.random and no transcendental
 * functions, so the same seed gives byte-identical demo data everywhere.
 */

const UPPER = 'ABCDEFGHIJKLMNOPQRSTUVWXYZ';
const LOWER = 'abcdefghijklmnopqrstuvwxyz';
const DIGITS = '0123456789';
/** Character sets used by vendor ids. */
export const ALPHABET = {
  hex: '0123456789abcdef',
  upper: UPPER,
  upperDigits: UPPER + DIGITS,
  lowerDigits: LOWER + DIGITS,
  alnum: UPPER + LOWER + DIGITS,
  /** AWS access key ids use base32 (A–Z, 2–7). */
  base32: `${UPPER}234567`,
  base64: `${UPPER}${LOWER}${DIGITS}+/`,
  digits: DIGITS,
} as const;

/** A seeded generator with the helpers the demo stories need. */
export interface Rng {
  /** Uniform in [0, 1). */
  next(): number;
  /** Uniform integer in [min, max] (inclusive). */
  int(min: number, max: number): number;
  /** True with probability p. */
  chance(p: number): boolean;
  /** One element of a non-empty array. */
  pick<T>(items: readonly T[]): T;
  /** One value by weight: [[value, weight], ...]. */
  weighted<T>(pairs: readonly (readonly [T, number])[]): T;
  /** Approximately normal (Irwin–Hall of 4 uniforms), clamped to ±3 sd. */
  normal(mean: number, sd: number): number;
  /** n characters drawn from an alphabet. */
  chars(n: number, alphabet: string): string;
  /** Random (version 4 shaped) UUID. */
  uuid(): string;
  /** An independent generator for a named sub-stream: stories stay stable when others change. */
  fork(label: string): Rng;
}

/** FNV-1a 32-bit hash of a string (used to derive sub-stream seeds from labels). */
export function fnv1a(text: string): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) {
    h ^= text.charCodeAt(i);
    h = Math.imul(h, 0x01000193) >>> 0;
  }
  return h >>> 0;
}

function splitmix32(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x9e3779b9) >>> 0;
    let z = s;
    z = Math.imul(z ^ (z >>> 16), 0x85ebca6b) >>> 0;
    z = Math.imul(z ^ (z >>> 13), 0xc2b2ae35) >>> 0;
    return (z ^ (z >>> 16)) >>> 0;
  };
}

function sfc32(a: number, b: number, c: number, d: number): () => number {
  return () => {
    a >>>= 0; b >>>= 0; c >>>= 0; d >>>= 0;
    const t = (((a + b) >>> 0) + d) >>> 0;
    d = (d + 1) >>> 0;
    a = b ^ (b >>> 9);
    b = (c + (c << 3)) >>> 0;
    c = (c << 21) | (c >>> 11);
    c = (c + t) >>> 0;
    return t >>> 0;
  };
}

/** Creates a generator from a numeric seed and an optional label (the label names a sub-stream). */
export function createRng(seed: number, label = ''): Rng {
  const mix = splitmix32((seed >>> 0) ^ fnv1a(label));
  const u32 = sfc32(mix(), mix(), mix(), mix());
  for (let i = 0; i < 12; i++) u32(); // discard the warm-up outputs
  const next = (): number => u32() / 4294967296;
  const int = (min: number, max: number): number => min + Math.floor(next() * (max - min + 1));
  const chars = (n: number, alphabet: string): string => {
    let out = '';
    for (let i = 0; i < n; i++) out += alphabet[Math.floor(next() * alphabet.length)];
    return out;
  };
  return {
    next,
    int,
    chance: (p) => next() < p,
    pick: <T>(items: readonly T[]): T => {
      if (items.length === 0) throw new Error('pick from an empty list');
      return items[Math.floor(next() * items.length)] as T;
    },
    weighted: <T>(pairs: readonly (readonly [T, number])[]): T => {
      const total = pairs.reduce((s, [, w]) => s + w, 0);
      let r = next() * total;
      for (const [v, w] of pairs) {
        r -= w;
        if (r < 0) return v;
      }
      const last = pairs[pairs.length - 1];
      if (!last) throw new Error('weighted pick from an empty list');
      return last[0];
    },
    normal: (mean, sd) => {
      // Sum of 4 uniforms has variance 4/12; rescale to unit variance.
      const z = (next() + next() + next() + next() - 2) * 1.7320508075688772;
      return mean + sd * Math.max(-3, Math.min(3, z));
    },
    chars,
    uuid: () => {
      const h = chars(32, ALPHABET.hex);
      const variant = '89ab'[int(0, 3)];
      return `${h.slice(0, 8)}-${h.slice(8, 12)}-4${h.slice(13, 16)}-${variant}${h.slice(17, 20)}-${h.slice(20, 32)}`;
    },
    fork: (sub) => createRng(seed, `${label}/${sub}`),
  };
}
