import { describe, expect, it } from 'vitest';
import { compileFixedPattern } from '../../schema/fixed-pattern.ts';

// The positional tests replace regexes on the validation hot path, so they must agree with the regex on every
// string: valid ones, and every kind of near miss (one character changed, one added or removed, non-ASCII).

const PATTERNS = [
  /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/,
  /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/,
  /^[0-9a-f]{64}$/,
  /^[0-9]{3}:x\-y$/,
];

function seeded(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s * 1664525 + 1013904223) >>> 0;
    return s / 2 ** 32;
  };
}

const ALPHABET = '0123456789abcdefABCDEF-:.TZxy /é\u0000\uffff';

function validSample(re: RegExp, rnd: () => number): string {
  switch (re.source) {
    case PATTERNS[0]?.source: return [8, 4, 4, 4, 12].map((n) => Array.from({ length: n }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('')).join('-');
    case PATTERNS[1]?.source: return new Date(Math.floor(rnd() * 4e12)).toISOString();
    case PATTERNS[2]?.source: return Array.from({ length: 64 }, () => '0123456789abcdef'[Math.floor(rnd() * 16)]).join('');
    default: return `${Math.floor(rnd() * 900) + 100}:x-y`;
  }
}

describe('compileFixedPattern', () => {
  it('agrees with the regex on valid strings and on every kind of near miss', () => {
    const rnd = seeded(42);
    for (const re of PATTERNS) {
      const test = compileFixedPattern(re);
      expect(test, re.source).not.toBeNull();
      if (!test) continue;
      let valid = 0;
      for (let n = 0; n < 3000; n++) {
        let s = validSample(re, rnd);
        const kind = n % 4;
        const at = Math.floor(rnd() * (s.length + 1));
        const ch = ALPHABET[Math.floor(rnd() * ALPHABET.length)] as string;
        if (kind === 1) s = s.slice(0, at) + ch + s.slice(at + 1);
        else if (kind === 2) s = s.slice(0, at) + ch + s.slice(at);
        else if (kind === 3) s = s.slice(0, at) + s.slice(at + 1);
        expect(test(s), `${re.source} on ${JSON.stringify(s)}`).toBe(re.test(s));
        if (re.test(s)) valid++;
      }
      expect(valid).toBeGreaterThan(500);
      expect(test('')).toBe(false);
    }
  });

  it('declines patterns it cannot reproduce exactly (the caller keeps the regex)', () => {
    for (const re of [/^[0-9a-f]{8}$/i, /^\d+$/, /^a|b$/, /[0-9a-f]{4}/, /^\w{3}$/, /^(ab){2}$/, /^[0-9a-f]{2,4}$/, /^.{3}$/, /^\s{2}$/]) {
      expect(compileFixedPattern(re), re.source).toBeNull();
    }
  });
});
