import { createServer, type IncomingMessage, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openStoreClient } from '../../../schema/store/client.ts';
import { encodeNative, stringColumn } from '../../../schema/store/native.ts';

// Server mode sends the same INSERT statements as the embedded store, each Native body as the HTTP request body.
// No ClickHouse server runs here: a loopback stand-in records what the client sends.

interface Seen { query: string; params: URLSearchParams; body: Buffer }

describe('server-mode insertParts', () => {
  let server: Server;
  let url = '';
  const seen: Seen[] = [];
  beforeAll(async () => {
    server = createServer((req: IncomingMessage, res) => {
      const chunks: Buffer[] = [];
      req.on('data', (c: Buffer) => chunks.push(c));
      req.on('end', () => {
        const u = new URL(req.url ?? '/', 'http://x');
        const body = Buffer.concat(chunks);
        // The client sends the statement in the body, unless it has values: then in the `query` parameter.
        seen.push({ query: u.searchParams.get('query') ?? body.toString('utf8'), params: u.searchParams, body });
        res.writeHead(200, { 'content-type': 'text/plain', 'x-clickhouse-summary': '{}' });
        res.end('');
      });
    });
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  });
  afterAll(async () => new Promise<void>((resolve) => server.close(() => resolve())));

  it('posts each part as INSERT … FORMAT Native with its body and dedup token', async () => {
    const sc = await openStoreClient({ mode: 'server', url, path: '', user: 'default', password: '', database: 'accessproof' });
    const body = encodeNative([{ a: 'x' }, { a: 'ünï' }], [stringColumn<{ a: string }>('a', (r) => r.a)]);
    seen.length = 0;
    await sc.insertParts([
      { table: 'raw_events', columns: ['raw_sha256'], format: 'Native', body, token: 'raw_events:abc' },
      { table: 'auth_events', columns: ['source', 'details'], format: 'Native', body, token: 'auth_events:def' },
    ]);
    await sc.close();
    expect(seen.map((s) => s.query)).toEqual([
      'INSERT INTO raw_events (raw_sha256) FORMAT Native',
      'INSERT INTO auth_events (source, details) FORMAT Native',
    ]);
    expect(seen.map((s) => s.params.get('insert_deduplication_token'))).toEqual(['raw_events:abc', 'auth_events:def']);
    for (const s of seen) {
      expect(s.body.equals(body)).toBe(true);
      expect(s.params.get('asterisk_include_alias_columns')).toBe('1');
    }
  });
});
