import type { z } from 'zod';
import { compileFixedPattern } from './fixed-pattern.ts';

/**
 * A check-only validator compiled once from a zod object schema, for hot paths (every normalized event).
 * zod's safeParse builds a stripped copy of each object and an issue list; this only answers "would zod accept
 * it?" with straight-line code generated from the schema (one inline-cached property read per field). It never
 * accepts what zod rejects for JSON-derived data, and returns false for anything it cannot decide, so callers run
 * zod on `false` for the verdict and its message. Supported: objects (unknown keys allowed, as z.object), strings
 * with regex checks, enums, booleans, records of string → string (own enumerable keys: symbol or non-enumerable
 * keys cannot come from JSON or object literals). Other field schemas are delegated to zod's own `safeParse`.
 */
export type FastCheck = (value: unknown) => boolean;

interface ZodDefLike {
  readonly type: string;
  readonly checks?: readonly { readonly _zod: { readonly def: Record<string, unknown> } }[];
  readonly entries?: Readonly<Record<string, string | number>>;
  readonly keyType?: ZodLike;
  readonly valueType?: ZodLike;
  readonly shape?: Readonly<Record<string, ZodLike>>;
  readonly catchall?: ZodLike;
}

interface ZodLike {
  readonly _zod: { readonly def: ZodDefLike };
  safeParse(value: unknown): { success: boolean };
}

/** Plain string-to-string record (object literal or JSON object; no prototype tricks). */
function isStringRecord(v: unknown): boolean {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  if (proto !== Object.prototype && proto !== null) return false;
  const o = v as Record<string, unknown>;
  for (const k in o) if (typeof o[k] !== 'string') return false;
  return true;
}

/** Regexes of a string schema's checks, or null when it has checks other than regexes (length, email...). */
function regexesOf(def: ZodDefLike): RegExp[] | null {
  const out: RegExp[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check !== 'string_format' || d.format !== 'regex' || !(d.pattern instanceof RegExp)) return null;
    // NOTE: non-global copies, so lastIndex state can never leak between calls.
    out.push(new RegExp(d.pattern.source, d.pattern.flags.replace(/[gy]/g, '')));
  }
  return out;
}

/** Compiles a zod object schema into a {@link FastCheck}. */
export function compileCheck(schema: z.ZodObject): FastCheck {
  const def = (schema as unknown as ZodLike)._zod.def;
  if (def.type !== 'object' || !def.shape || def.catchall) return (v) => schema.safeParse(v).success;
  const deps: unknown[] = [];
  const dep = (x: unknown): string => {
    deps.push(x);
    return `d${deps.length - 1}`;
  };
  const lines: string[] = ['if (o === null || typeof o !== "object" || Array.isArray(o)) return false;', 'let v;'];
  for (const [name, field] of Object.entries(def.shape)) {
    const f = field._zod.def;
    lines.push(`v = o[${JSON.stringify(name)}];`);
    const regexes = f.type === 'string' ? regexesOf(f) : null;
    if (f.type === 'string' && regexes) {
      // Fixed-shape patterns (ids, digests, instants) as positional table lookups; anything else stays a regex.
      const tests = regexes.map((re) => {
        const fixed = compileFixedPattern(re);
        return fixed ? `!${dep(fixed)}(v)` : `!${dep(re)}.test(v)`;
      });
      lines.push(`if (typeof v !== "string"${tests.map((t) => ` || ${t}`).join('')}) return false;`);
    } else if (f.type === 'boolean') {
      lines.push('if (typeof v !== "boolean") return false;');
    } else if (f.type === 'enum') {
      lines.push(`if (!${dep(new Set(Object.values(f.entries ?? {})))}.has(v)) return false;`);
    } else if (f.type === 'record' && f.keyType?._zod.def.type === 'string' && !f.keyType._zod.def.checks?.length
      && f.valueType?._zod.def.type === 'string' && !f.valueType._zod.def.checks?.length) {
      lines.push(`if (!${dep(isStringRecord)}(v)) return false;`);
    } else {
      lines.push(`if (!${dep(field)}.safeParse(v).success) return false;`);
    }
  }
  lines.push('return true;');
  // Generated once per schema from the schema's own field names and checks (no external input).
  const factory = new Function(...deps.map((_, i) => `d${i}`), `return function fastCheck(o) {\n${lines.join('\n')}\n};`) as (...d: unknown[]) => FastCheck;
  return factory(...deps);
}
