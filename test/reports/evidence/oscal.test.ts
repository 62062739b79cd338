import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Ajv, type ValidateFunction } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { FRAMEWORK_IDS } from '../../../reports/evidence/catalog.ts';
import { OSCAL_VERSION } from '../../../reports/evidence/oscal.ts';
import { REPO_ROOT } from '../../helpers/shared.ts';
import { scenarioPacks, type ScenarioPacks } from './scenario-packs.ts';
import { readZip } from './zip-tools.ts';

// oscal/assessment-results.json validates against NIST's official OSCAL assessment-results JSON schema
// (test/fixtures/oscal, see PROVENANCE.md) for every framework, and says what the pack says.

type Json = Record<string, unknown>;
let s: ScenarioPacks;
let validate: ValidateFunction;
const docs = new Map<string, Json>();

beforeAll(async () => {
  const schema = JSON.parse(readFileSync(join(REPO_ROOT, 'test/fixtures/oscal/oscal_assessment-results_schema-1.1.1.json'), 'utf8')) as Json;
  const ajv = new Ajv({ allErrors: true, strict: false });
  // ajv-formats is CommonJS; its default export is the plugin function.
  (addFormatsModule as unknown as (a: Ajv) => void)(ajv);
  validate = ajv.compile(schema);
  s = await scenarioPacks();
  for (const f of FRAMEWORK_IDS) {
    const entry = (await readZip(s.packs[f]?.path as string)).find(([k]) => k === 'oscal/assessment-results.json');
    docs.set(f, JSON.parse((entry?.[1] as Buffer).toString('utf8')) as Json);
  }
}, 240_000);
afterAll(async () => { await s?.cleanup(); });

const ar = (f: string): Json => docs.get(f)?.['assessment-results'] as Json;
const result = (f: string): Json => (ar(f).results as Json[])[0] as Json;

describe('OSCAL assessment results', () => {
  it('validates against the official schema for every framework', () => {
    for (const f of FRAMEWORK_IDS) {
      const ok = validate(docs.get(f));
      expect(ok, `${f}: ${JSON.stringify(validate.errors?.slice(0, 3))}`).toBe(true);
    }
  });

  it('the validator is real: a document with a wrong status, a bad UUID or a missing field is rejected', () => {
    const bad1 = structuredClone(docs.get('soc2')) as Json;
    ((((bad1['assessment-results'] as Json).results as Json[])[0] as Json).findings as Json[])[0] = { uuid: 'not-a-uuid', title: 'x', description: 'y', target: {} };
    expect(validate(bad1)).toBe(false);
    const bad2 = structuredClone(docs.get('soc2')) as Json;
    delete (bad2['assessment-results'] as Json)['import-ap'];
    expect(validate(bad2)).toBe(false);
  });

  it('has one observation per control and test with the pack\'s counts, and one finding per control', () => {
    expect((ar('soc2').metadata as Json)['oscal-version']).toBe(OSCAL_VERSION);
    const obs = result('soc2').observations as Json[];
    const priv = obs.find((o) => o.title === 'CC6.1: MFA on privileged sessions') as Json;
    const props = Object.fromEntries((priv.props as Json[]).map((p) => [p.name, p.value]));
    expect(props).toMatchObject({ population: '13', covered: '10', exceptions: '3', 'coverage-pct': '76.92' });
    expect(((priv['relevant-evidence'] as Json[])[0] as Json).href).toBe('population.csv');
    const findings = result('soc2').findings as Json[];
    expect(findings.map((f) => ((f.target as Json)['target-id']))).toEqual(['cc6.1_obj', 'cc6.2_obj', 'cc6.3_obj', 'cc6.6_obj', 'cc7.2_obj']);
    expect(((findings[0] as Json).target as Json).status).toEqual({ state: 'not-satisfied', reason: 'fail' });
    expect(obs.filter((o) => (o.types as string[]).includes('finding')).map((o) => o.title)).toContain('Bypass finding: root_account');
  });

  it('is reproducible: the same pack id gives the same UUIDs', async () => {
    const again = await s.build('hipaa', 'hipaa-again');
    const entry = (await readZip(again.path)).find(([k]) => k === 'oscal/assessment-results.json');
    expect(JSON.parse((entry?.[1] as Buffer).toString('utf8'))).toEqual(docs.get('hipaa'));
  });
});
