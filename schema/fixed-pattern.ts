// Fixed-shape string patterns (UUIDs, hex digests, ISO instants) checked position by position. V8 runs short
// anchored regexes such as /^[0-9a-f]{64}$/ at ~6 ns per character here, which made two of the AuthEvent fields'
// regexes half of the event validation's cost; a table lookup per character is ~10× cheaper.

/** A predicate equivalent to its regex on every string. */
export type StringTest = (s: string) => boolean;

const CLASSES: Readonly<Record<string, string>> = { '\\d': '0123456789', '[0-9]': '0123456789', '[0-9a-f]': '0123456789abcdef', '[a-f0-9]': '0123456789abcdef' };

/**
 * For an anchored pattern made only of character classes (`\d`, `[0-9]`, `[0-9a-f]`) with optional fixed counts
 * (`{n}`) and literal characters (plain or backslash-escaped punctuation), returns an equivalent positional test;
 * null for anything else (the caller keeps the regex). Flags other than none are not handled.
 */
export function compileFixedPattern(re: RegExp): StringTest | null {
  if (re.flags !== '') return null;
  const src = re.source;
  if (!src.startsWith('^') || !src.endsWith('$') || src.endsWith('\\$')) return null;
  const allowed: string[] = [];
  let i = 1;
  const end = src.length - 1;
  while (i < end) {
    let set: string | undefined;
    const cls = Object.keys(CLASSES).find((c) => src.startsWith(c, i));
    if (cls) {
      set = CLASSES[cls];
      i += cls.length;
    } else if (src[i] === '\\') {
      const c = src[i + 1] ?? '';
      // Escaped punctuation only: \. \- \: etc. (letters after a backslash are classes or escapes we do not model).
      if (!/^[.\-:/+*?()[\]{}|^$\\]$/.test(c)) return null;
      set = c;
      i += 2;
    } else if (/^[A-Za-z0-9\-:TZ_ ]$/.test(src[i] ?? '')) {
      set = src[i];
      i += 1;
    } else {
      return null;
    }
    let count = 1;
    const q = /^\{(\d+)\}/.exec(src.slice(i, end));
    if (q) {
      count = Number(q[1]);
      i += q[0].length;
    }
    for (let k = 0; k < count; k++) allowed.push(set as string);
  }
  if (i !== end || allowed.length === 0 || allowed.length > 256) return null;
  const length = allowed.length;
  // table[position * 128 + code] = 1 when the character is allowed there (ASCII only; others never match).
  const table = new Uint8Array(length * 128);
  allowed.forEach((set, pos) => { for (const ch of set) table[pos * 128 + ch.charCodeAt(0)] = 1; });
  return (s) => {
    if (s.length !== length) return false;
    for (let p = 0; p < length; p++) {
      const c = s.charCodeAt(p);
      if (c >= 128 || table[p * 128 + c] === 0) return false;
    }
    return true;
  };
}
