import { describe, expect, it } from 'vitest';
import { silentLogger } from '../../../core/logger.ts';
import { SOURCE_ERRORS, SourceError } from '../../../ingest/sources/http.ts';
import { decodeWindowCursor, planWindow, readWindow, type TimeWindow, type WindowPlan } from '../../../ingest/sources/window-cursor.ts';

const plan: WindowPlan = {
  now: new Date('2025-03-11T18:00:00.000Z'),
  overlap_ms: 300_000,
  first_start: new Date('2025-03-11T00:00:00.000Z'),
  end_lag_ms: 120_000,
  max_lookback_ms: 180 * 86_400_000,
};

/** Collects the pages of one cycle, with the windows and tokens asked for. */
async function cycle(saved: string | undefined, pages: Record<string, string | undefined>, opts: { failToken?: string } = {}) {
  const asked: { window: TimeWindow; token: string | undefined }[] = [];
  const out: { page: string; cursor: string }[] = [];
  for await (const p of readWindow<string>(saved, plan, async (window, token) => {
    asked.push({ window, token });
    if (token !== undefined && token === opts.failToken) throw new SourceError(SOURCE_ERRORS.request, 'HTTP 400 (bad skiptoken)', { retriable: false });
    const key = token ?? 'first';
    return { page: key, next: pages[key] };
  }, silentLogger())) out.push(p);
  return { asked, out };
}

describe('window cursor', () => {
  it('plans start = watermark − overlap and end = now − lag; nothing when the window is empty', () => {
    expect(planWindow('2025-03-11T17:00:00.000Z', plan)).toEqual({ start: '2025-03-11T16:55:00.000Z', end: '2025-03-11T17:58:00.000Z' });
    expect(planWindow('2025-03-11T18:00:00.000Z', { ...plan, overlap_ms: 0 })).toBeUndefined();
    // Never before the vendor's retention.
    expect(planWindow('2024-01-01T00:00:00.000Z', { ...plan, max_lookback_ms: 86_400_000 })?.start).toBe('2025-03-10T18:00:00.000Z');
  });

  it('first run pages one window from first_start; each page carries the resume token, the last one the new watermark', async () => {
    const { asked, out } = await cycle(undefined, { first: 'p2', p2: 'p3', p3: undefined });
    expect(asked.map((a) => a.token)).toEqual([undefined, 'p2', 'p3']);
    expect(asked[0]?.window).toEqual({ start: '2025-03-11T00:00:00.000Z', end: '2025-03-11T17:58:00.000Z' });
    expect(decodeWindowCursor(out[0]?.cursor ?? '')).toEqual({ v: 1, watermark: '2025-03-11T00:00:00.000Z', window: { start: '2025-03-11T00:00:00.000Z', end: '2025-03-11T17:58:00.000Z', page: 'p2' } });
    expect(decodeWindowCursor(out[2]?.cursor ?? '')).toEqual({ v: 1, watermark: '2025-03-11T17:58:00.000Z' });
  });

  it('resumes a saved window at its page token, and rereads the window when the token was rejected', async () => {
    const saved = JSON.stringify({ v: 1, watermark: '2025-03-11T00:00:00.000Z', window: { start: '2025-03-10T23:55:00.000Z', end: '2025-03-11T06:00:00.000Z', page: 'p2' } });
    const resumed = await cycle(saved, { first: 'p2', p2: undefined });
    expect(resumed.asked).toEqual([{ window: { start: '2025-03-10T23:55:00.000Z', end: '2025-03-11T06:00:00.000Z' }, token: 'p2' }]);
    const stale = await cycle(saved, { first: 'p2x', p2x: undefined }, { failToken: 'p2' });
    expect(stale.asked.map((a) => a.token)).toEqual(['p2', undefined, 'p2x']);
    expect(decodeWindowCursor(stale.out[1]?.cursor ?? '').watermark).toBe('2025-03-11T06:00:00.000Z');
  });

  it('refuses an unreadable cursor instead of silently starting over', () => {
    expect(() => decodeWindowCursor('https://example.okta.com/api/v1/logs')).toThrow(/not JSON/);
    expect(() => decodeWindowCursor('{"v":2}')).toThrow(/unknown shape/);
  });
});
