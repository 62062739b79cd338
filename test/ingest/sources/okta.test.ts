import { describe, expect, it } from 'vitest';
import { fixedClock } from '../../../core/clock.ts';
import { silentLogger } from '../../../core/logger.ts';
import { SOURCE_ERRORS, SourceError } from '../../../ingest/sources/http.ts';
import { createOktaSource } from '../../../ingest/sources/okta.ts';
import { OktaSourceConfig } from '../../../ingest/sources/source-config.ts';

const cfg = OktaSourceConfig.parse({ name: 'okta-prod', type: 'okta', base_url: 'https://example.okta.com', token_env: 'OKTA_TOKEN', start_at: '2025-03-11T00:00:00Z' });

/** A source whose fetch is a stub recording what would have been sent. */
function sourceWith(respond: (url: string) => Response) {
  const calls: { url: string; auth: string }[] = [];
  const fetchStub = (async (input: string | URL | Request, init?: RequestInit) => {
    const url = String(input);
    calls.push({ url, auth: new Headers(init?.headers).get('authorization') ?? '' });
    return respond(url);
  }) as typeof fetch;
  const source = createOktaSource(cfg, {
    clock: fixedClock('2025-03-11T18:00:00.000Z'), sleep: async () => undefined, logger: silentLogger(),
    secrets: { OKTA_TOKEN: 'tok' }, retry: { retries: 3, base_ms: 1, max_ms: 1, factor: 1, jitter: 0 }, fetch: fetchStub,
  });
  return { source, calls };
}

async function drain(gen: AsyncGenerator<unknown>): Promise<unknown[]> {
  const out: unknown[] = [];
  for await (const x of gen) out.push(x);
  return out;
}

describe('Okta source', () => {
  it('opens with a polling request (since, ASCENDING, no until) and SSWS auth, and stores the next link as the cursor', async () => {
    const next = 'https://example.okta.com/api/v1/logs?limit=1000&after=1741716000000_1';
    const { source, calls } = sourceWith(() => new Response('[]', { headers: { link: `<${next}>; rel="next"` } }));
    const batches = await drain(source.read(undefined, new AbortController().signal));
    expect(calls).toEqual([{ url: 'https://example.okta.com/api/v1/logs?since=2025-03-11T00%3A00%3A00.000Z&sortOrder=ASCENDING&limit=1000', auth: 'SSWS tok' }]);
    expect(batches).toEqual([{ records: [], rejects: [], cursor: next, newest_event_time: undefined }]);
  });

  it('never sends the token to another origin named by a next link', async () => {
    const { source, calls } = sourceWith(() => new Response('[]', { headers: { link: '<https://evil.example/api/v1/logs?after=x>; rel="next"' } }));
    await expect(drain(source.read(undefined, new AbortController().signal))).rejects.toThrow(/another origin/);
    expect(calls).toHaveLength(1);
    await expect(drain(source.read('https://evil.example/api/v1/logs?after=x', new AbortController().signal))).rejects.toThrow(/another origin/);
    expect(calls).toHaveLength(1);
  });

  it('does not retry a 401, and reports it as ERR_SOURCE_AUTH with Okta\'s error code only', async () => {
    const { source, calls } = sourceWith(() => new Response('{"errorCode":"E0000011","errorSummary":"Invalid token provided"}', { status: 401 }));
    const err = await drain(source.read(undefined, new AbortController().signal)).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(SourceError);
    expect((err as SourceError).code).toBe(SOURCE_ERRORS.auth);
    expect((err as SourceError).message).toBe('okta /api/v1/logs: HTTP 401 (E0000011 Invalid token provided)');
    expect(calls).toHaveLength(1);
  });

  it('refuses to start without its token variable', () => {
    expect(() => createOktaSource(cfg, { clock: fixedClock('2025-03-11T18:00:00Z'), sleep: async () => undefined, logger: silentLogger(), secrets: {}, retry: { retries: 0, base_ms: 1, max_ms: 1, factor: 1, jitter: 0 } }))
      .toThrow(/OKTA_TOKEN/);
  });
});
