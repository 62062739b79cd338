import type { z } from 'zod';

/**
 * A check-only validator compiled once from a zod object schema, for hot paths (every normalized event).
 * zod's safeParse builds a stripped copy of each object and an issue list; this only answers "would zod accept
 * it?". It is sound, not complete: it accepts only values zod accepts, and returns false for anything it cannot
 * decide (unsupported schema parts, odd objects), so callers run zod on `false` for the verdict and its message.
 * Supported: objects (unknown keys allowed, as z.object), strings with regex checks, enums, booleans,
 * records of string → string. Anything else makes the field fall back to zod's own `safeParse`.
 */
export type FastCheck = (value: unknown) => boolean;

type FieldCheck = (value: unknown) => boolean;

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

function isPlainObject(v: unknown): v is Record<string, unknown> {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return false;
  const proto: unknown = Object.getPrototypeOf(v);
  return proto === Object.prototype || proto === null;
}

/** A check for one string schema: plain, or regex-checked; null when it has other checks (length, email...). */
function stringCheck(def: ZodDefLike): FieldCheck | null {
  const patterns: RegExp[] = [];
  for (const c of def.checks ?? []) {
    const d = c._zod.def;
    if (d.check === 'string_format' && d.format === 'regex' && d.pattern instanceof RegExp) {
      // NOTE: a fresh non-global copy, so lastIndex state can never leak between calls.
      patterns.push(new RegExp(d.pattern.source, d.pattern.flags.replace('g', '').replace('y', '')));
    } else {
      return null;
    }
  }
  if (patterns.length === 0) return (v) => typeof v === 'string';
  if (patterns.length === 1) {
    const re = patterns[0] as RegExp;
    return (v) => typeof v === 'string' && re.test(v);
  }
  return (v) => typeof v === 'string' && patterns.every((re) => re.test(v));
}

/** A check for one field schema; unsupported schemas defer to zod for that field. */
function fieldCheck(schema: ZodLike): FieldCheck {
  const def = schema._zod.def;
  switch (def.type) {
    case 'string': {
      const c = stringCheck(def);
      if (c) return c;
      break;
    }
    case 'boolean':
      return (v) => typeof v === 'boolean';
    case 'enum': {
      const values = new Set(Object.values(def.entries ?? {}));
      return (v) => (typeof v === 'string' || typeof v === 'number') && values.has(v);
    }
    case 'record': {
      const k = def.keyType?._zod.def;
      const val = def.valueType?._zod.def;
      if (k?.type === 'string' && !k.checks?.length && val?.type === 'string' && !val.checks?.length) {
        return (v) => {
          if (!isPlainObject(v)) return false;
          // zod walks Reflect.ownKeys (symbols and non-enumerables too); so does this, to stay sound.
          for (const key of Reflect.ownKeys(v)) {
            if (typeof key !== 'string' || typeof v[key] !== 'string') return false;
          }
          return true;
        };
      }
      break;
    }
    default:
      break;
  }
  return (v) => schema.safeParse(v).success;
}

/** Compiles a zod object schema into a {@link FastCheck}. */
export function compileCheck(schema: z.ZodObject): FastCheck {
  const def = (schema as unknown as ZodLike)._zod.def;
  if (def.type !== 'object' || !def.shape || def.catchall) return (v) => schema.safeParse(v).success;
  const names = Object.keys(def.shape);
  const checks = names.map((n) => fieldCheck((def.shape as Record<string, ZodLike>)[n] as ZodLike));
  return (value) => {
    if (value === null || typeof value !== 'object' || Array.isArray(value)) return false;
    const o = value as Record<string, unknown>;
    for (let i = 0; i < names.length; i++) {
      if (!(checks[i] as FieldCheck)(o[names[i] as string])) return false;
    }
    return true;
  };
}
