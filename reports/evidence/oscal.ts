import type { CatalogControl } from './catalog.ts';
import { deterministicUuid } from './canonical-json.ts';
import { CONTROL_TESTS } from './control-tests.ts';
import type { ManifestFile } from './manifest.ts';
import type { Period } from './period.ts';
import type { TestResult } from './results.ts';

// oscal/assessment-results.json: the pack's results as a NIST OSCAL assessment-results document, validated in the
// tests against the official JSON schema (test/fixtures/oscal). One observation per control and test (the counts,
// with the pack's CSVs as relevant evidence), one observation per bypass-finding kind present, and one finding per
// control (objective satisfied or not). Every UUID is derived from the pack id, so the document is reproducible.

/** OSCAL model version the document conforms to (the schema in test/fixtures/oscal). */
export const OSCAL_VERSION = '1.1.1';
/** Namespace of accessproof's own property names. */
export const PROP_NS = 'urn:accessproof:oscal';

/** Dispositions that do not make a control objective "not satisfied" (approved exemptions, informational notes). */
const ACCEPTED = new Set(['exemption', 'noted', 'review_pending']);

/** What the OSCAL document is built from. */
export interface OscalInput {
  readonly pack_id: string;
  readonly organisation: string;
  readonly framework: { readonly id: string; readonly name: string; readonly version: string };
  readonly controls: readonly CatalogControl[];
  readonly period: Period;
  readonly tool_version: string;
  readonly catalog_version: string;
  readonly evidence_digest: string;
  readonly results: readonly TestResult[];
  readonly findings_by_kind: Readonly<Record<string, number>>;
  /** The data files (path, size, sha256) the observations cite. */
  readonly files: readonly ManifestFile[];
}

type Json = Record<string, unknown>;
const prop = (name: string, value: string | number): Json => ({ name, ns: PROP_NS, value: String(value) });

/** True when a test's exceptions are all accepted dispositions. */
export function testSatisfied(t: TestResult): boolean {
  return Object.entries(t.dispositions).every(([d, n]) => n === 0 || ACCEPTED.has(d));
}

/** Builds the assessment-results document. */
export function buildAssessmentResults(o: OscalInput): Json {
  const id = (name: string): string => deterministicUuid(o.pack_id, name);
  const toolUuid = id('component:accessproof');
  const planUuid = id('resource:assessment-plan');
  const file = (path: string): ManifestFile | undefined => o.files.find((f) => f.path === path);
  const evidence = (path: string, description: string): Json => {
    const f = file(path);
    return { href: path, description, ...(f ? { props: [prop('sha256', f.sha256), prop('size', f.size)] } : {}) };
  };
  const origins = [{ actors: [{ type: 'tool', 'actor-uuid': toolUuid }] }];
  const observations: Json[] = o.results.map((t) => ({
    uuid: id(`observation:${t.control_id}:${t.test_id}`),
    title: `${t.control_id}: ${CONTROL_TESTS[t.test_id].title}`,
    description: `Population ${t.population}, covered ${t.covered}, exceptions ${t.exceptions}, coverage ${t.coverage_pct === null ? 'n/a' : `${t.coverage_pct.toFixed(2)}%`} `
      + `(population: ${CONTROL_TESTS[t.test_id].population}; passes when ${CONTROL_TESTS[t.test_id].pass}).`,
    props: [
      prop('control-id', t.control_id), prop('test-id', t.test_id), prop('population', t.population), prop('covered', t.covered),
      prop('exceptions', t.exceptions), prop('coverage-pct', t.coverage_pct === null ? 'n/a' : t.coverage_pct.toFixed(2)), prop('sample-size', t.sample_size),
    ],
    methods: ['TEST'],
    types: ['control-objective'],
    origins,
    'relevant-evidence': [
      evidence('population.csv', 'Every session in scope with its MFA binding and evidence event ids.'),
      evidence('sample.csv', 'The sampled items with their selection scores.'),
      evidence('exceptions.csv', 'Every exception with its disposition.'),
    ],
    collected: o.period.generated_at,
  }));
  const kinds = Object.entries(o.findings_by_kind).filter(([, n]) => n > 0).sort(([a], [b]) => (a < b ? -1 : 1));
  for (const [kind, n] of kinds) {
    observations.push({
      uuid: id(`observation:finding:${kind}`),
      title: `Bypass finding: ${kind}`,
      description: `${n} finding(s) of kind ${kind} in the period, each with the events that prove it (findings.csv).`,
      props: [prop('finding-kind', kind), prop('count', n)],
      methods: ['TEST'],
      types: ['finding'],
      origins,
      'relevant-evidence': [evidence('findings.csv', 'Every bypass finding of the period with its evidence event ids.')],
      collected: o.period.generated_at,
    });
  }
  const findings: Json[] = o.controls.map((c) => {
    const mine = o.results.filter((t) => t.control_id === c.id);
    const ok = mine.every(testSatisfied);
    const cited = new Set(mine.flatMap((t) => CONTROL_TESTS[t.test_id].finding_kinds));
    const related = [
      ...mine.map((t) => id(`observation:${t.control_id}:${t.test_id}`)),
      ...kinds.filter(([k]) => cited.has(k)).map(([k]) => id(`observation:finding:${k}`)),
    ];
    return {
      uuid: id(`finding:${c.id}`),
      title: `${c.id} ${c.title}`,
      description: `${c.requirement} Result: ${mine.map((t) => `${t.test_id} ${t.covered}/${t.population} covered, ${t.exceptions} exception(s)`).join('; ')}.`,
      props: [prop('control-id', c.id), prop('framework', o.framework.id)],
      origins,
      target: {
        type: 'objective-id',
        'target-id': `${c.oscal_id}_obj`,
        description: c.test_procedure,
        status: { state: ok ? 'satisfied' : 'not-satisfied', reason: ok ? 'pass' : 'fail' },
      },
      'related-observations': related.map((u) => ({ 'observation-uuid': u })),
    };
  });
  const resources: Json[] = [{
    uuid: planUuid,
    title: `Assessment plan: accessproof control catalog ${o.catalog_version}, ${o.framework.name} ${o.framework.version}`,
    description: 'The control catalog (requirements, test procedures, populations and pass rules) and the methodology in report.pdf.',
    rlinks: [{ href: 'report.pdf', 'media-type': 'application/pdf' }],
  }, ...['population.csv', 'sample.csv', 'exceptions.csv', 'findings.csv', 'queries.sql'].flatMap((path) => {
    const f = file(path);
    return f ? [{ uuid: id(`resource:${path}`), title: path, rlinks: [{ href: path, 'media-type': path.endsWith('.csv') ? 'text/csv' : 'application/sql', hashes: [{ algorithm: 'SHA-256', value: f.sha256 }] }] }] : [];
  })];
  return {
    'assessment-results': {
      uuid: id('assessment-results'),
      metadata: {
        title: `Privileged access evidence: ${o.framework.name} ${o.framework.version}, ${o.period.from} to ${o.period.to}`,
        'last-modified': o.period.generated_at,
        version: o.pack_id,
        'oscal-version': OSCAL_VERSION,
        props: [prop('pack-id', o.pack_id), prop('evidence-digest', o.evidence_digest), prop('tool-version', o.tool_version)],
        parties: [{ uuid: id('party:organisation'), type: 'organization', name: o.organisation }],
      },
      'import-ap': { href: `#${planUuid}`, remarks: 'accessproof has no separate assessment-plan document; the plan is its versioned control catalog and methodology.' },
      results: [{
        uuid: id('result'),
        title: `${o.framework.name} ${o.framework.version}: ${o.controls.map((c) => c.id).join(', ')}`,
        description: `Automated tests of privileged access over ${o.period.from} to ${o.period.to} (start inclusive, end exclusive).`,
        start: o.period.from,
        end: o.period.to,
        props: [prop('pack-id', o.pack_id), prop('evidence-digest', o.evidence_digest)],
        'local-definitions': {
          components: [{
            uuid: toolUuid, type: 'software', title: `accessproof ${o.tool_version}`,
            description: 'Collects identity-provider, gateway, host and cloud authentication logs and tests privileged access against the control catalog.',
            status: { state: 'operational' },
          }],
        },
        'reviewed-controls': { 'control-selections': [{ 'include-controls': o.controls.map((c) => ({ 'control-id': c.oscal_id })) }] },
        observations,
        findings,
      }],
      'back-matter': { resources },
    },
  };
}
