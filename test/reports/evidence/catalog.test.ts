import { describe, expect, it } from 'vitest';
import { FRAMEWORK_IDS, listControls, loadCatalog, selectControls } from '../../../reports/evidence/catalog.ts';
import { CONTROL_TESTS, TEST_IDS } from '../../../reports/evidence/control-tests.ts';

describe('control catalog', () => {
  it('holds every control the evidence issue lists, per framework', () => {
    const ids = (f: string): string[] => listControls(f).map((c) => c.id);
    expect(ids('soc2')).toEqual(['CC6.1', 'CC6.2', 'CC6.3', 'CC6.6', 'CC7.2']);
    expect(ids('pci-dss')).toEqual(['8.2.2', '8.4.1', '8.4.2', '8.4.3', '8.5.1']);
    expect(ids('nist-800-53')).toEqual(['IA-2(1)', 'IA-2(2)', 'IA-2(6)', 'IA-2(8)', 'AC-2(3)', 'AC-6(9)']);
    expect(ids('iso-27001')).toEqual(['A.5.15', 'A.5.16', 'A.5.17', 'A.5.18', 'A.8.2', 'A.8.5']);
    expect(ids('cis-v8')).toEqual(['6.3', '6.4', '6.5']);
    expect(ids('hipaa')).toEqual(['164.312(d)']);
    expect(listControls()).toHaveLength(26);
  });

  it('every control has our requirement summary, a test procedure, known tests and an OSCAL token id', () => {
    for (const c of listControls()) {
      expect(c.requirement.length).toBeGreaterThan(60);
      expect(c.test_procedure.length).toBeGreaterThan(60);
      for (const t of c.tests) expect(CONTROL_TESTS[t].id).toBe(t);
      expect(c.oscal_id).toMatch(/^[A-Za-z_][A-Za-z0-9._-]*$/);
    }
    const oscal = listControls().map((c) => c.oscal_id);
    expect(new Set(oscal).size).toBe(oscal.length);
  });

  it('every test is used by at least one control, and session tests state their population and pass rule in SQL', () => {
    const used = new Set(listControls().flatMap((c) => c.tests));
    for (const t of TEST_IDS) {
      expect(used.has(t)).toBe(true);
      const def = CONTROL_TESTS[t];
      if (def.kind === 'session') { expect(def.population_sql.length).toBeGreaterThan(0); expect(def.pass_sql.length).toBeGreaterThan(0); }
    }
  });

  it('selects controls case-insensitively in catalog order and rejects unknown ids and frameworks', () => {
    expect(selectControls('soc2', ['cc6.6', 'CC6.1']).map((c) => c.id)).toEqual(['CC6.1', 'CC6.6']);
    expect(() => selectControls('soc2', ['CC9.9'])).toThrow(/unknown control\(s\) for soc2: cc9.9/);
    expect(() => listControls('sox')).toThrow(/unknown framework "sox"/);
    expect(FRAMEWORK_IDS).toHaveLength(6);
    expect(loadCatalog().digest).toMatch(/^[0-9a-f]{64}$/);
  });
});
