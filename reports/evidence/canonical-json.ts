import { createHash } from 'node:crypto';

// Canonical JSON for signed and hashed artifacts: object keys sorted recursively, two-space indentation, a final
// newline, no undefined values. Arrays keep their order (the builder sorts them where order is not meaningful).

function sortKeys(v: unknown): unknown {
  if (Array.isArray(v)) return v.map(sortKeys);
  if (v !== null && typeof v === 'object') {
    const out: Record<string, unknown> = {};
    for (const k of Object.keys(v as Record<string, unknown>).sort()) {
      const x = (v as Record<string, unknown>)[k];
      if (x !== undefined) out[k] = sortKeys(x);
    }
    return out;
  }
  return v;
}

/** Serializes `v` canonically (sorted keys, 2-space indent, trailing newline). */
export function canonicalJson(v: unknown): string {
  return `${JSON.stringify(sortKeys(v), null, 2)}\n`;
}

/** SHA-256 hex of a string or bytes. */
export function sha256Hex(data: string | Buffer): string {
  return createHash('sha256').update(data).digest('hex');
}

/**
 * A deterministic UUID (version-5 layout, SHA-256 based) from a namespace and a name: packs have no random ids,
 * so the same data and parameters give the same OSCAL document.
 */
export function deterministicUuid(namespace: string, name: string): string {
  const h = createHash('sha256').update(namespace).update('\n').update(name).digest();
  h[6] = ((h[6] as number) & 0x0f) | 0x50;
  h[8] = ((h[8] as number) & 0x3f) | 0x80;
  const x = h.subarray(0, 16).toString('hex');
  return `${x.slice(0, 8)}-${x.slice(8, 12)}-${x.slice(12, 16)}-${x.slice(16, 20)}-${x.slice(20, 32)}`;
}
