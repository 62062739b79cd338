import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../../core/config.ts';

function configFile(yaml: string): string {
  const file = join(mkdtempSync(join(tmpdir(), 'ap-sources-')), 'accessproof.yaml');
  writeFileSync(file, yaml);
  return file;
}

const SOURCES = `sources:
  - name: okta-prod
    type: okta
    base_url: https://example.okta.com
    token_env: OKTA_API_TOKEN
  - name: duo
    type: duo
    api_host: api-1234abcd.duosecurity.com
    integration_key_env: DUO_IKEY
    secret_key_env: DUO_SKEY
    overlap_seconds: 600
`;

describe('sources config', () => {
  it('applies defaults and reads only the named credential variables into config.secrets', () => {
    const c = loadConfig({ ACCESSPROOF_CONFIG: configFile(SOURCES), OKTA_API_TOKEN: 'tok', DUO_IKEY: 'DI123', DUO_SKEY: '', UNRELATED: 'x' });
    expect(c.secrets).toEqual({ OKTA_API_TOKEN: 'tok', DUO_IKEY: 'DI123' });
    const [okta, duo] = c.file.sources;
    expect(okta).toMatchObject({ type: 'okta', enabled: true, interval_seconds: 60, overlap_seconds: 300, page_size: 1000 });
    expect(duo).toMatchObject({ type: 'duo', scheme: 'https', overlap_seconds: 600 });
  });

  it('rejects duplicate names, inline schemes in api_host and unknown keys', () => {
    expect(() => loadConfig({ ACCESSPROOF_CONFIG: configFile(`${SOURCES}  - name: duo\n    type: okta\n    base_url: https://x.okta.com\n    token_env: T\n`) })).toThrow(/duplicate source name "duo"/);
    expect(() => loadConfig({ ACCESSPROOF_CONFIG: configFile(SOURCES.replace('api-1234abcd.duosecurity.com', 'https://api-1234abcd.duosecurity.com')) })).toThrow(/api_host/);
    expect(() => loadConfig({ ACCESSPROOF_CONFIG: configFile(SOURCES.replace('token_env: OKTA_API_TOKEN', 'token: inline-secret')) })).toThrow(/token/);
  });
});
