import { execFileSync } from 'node:child_process';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';

// Batch insert tokens: a retry in the same process must repeat them (the engine drops the duplicate), and a restarted
// process must not (after a crash a single-node engine may hold a token whose rows never committed).

const ROOT = join(import.meta.dirname, '..', '..', '..');

function tokensOfAProcess(): [string[], string[]] {
  const out = execFileSync(join(ROOT, 'node_modules', '.bin', 'tsx'), [join(ROOT, 'test', 'helpers', 'print-content-token.ts')], { cwd: ROOT, encoding: 'utf8' });
  return JSON.parse(out) as [string[], string[]];
}

describe('batch content tokens', () => {
  it('repeat within a process and differ between processes for the same rows', () => {
    const [a1, a2] = tokensOfAProcess();
    const [b1] = tokensOfAProcess();
    expect(a1).toHaveLength(1);
    expect(a1[0]).toMatch(/^raw_events:/);
    expect(a2).toEqual(a1);
    expect(b1).not.toEqual(a1);
    // Only the process part differs: the content digest is the same.
    expect(b1[0]?.split(':')[2]).toBe(a1[0]?.split(':')[2]);
  });
});
