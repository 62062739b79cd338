import type { Command } from 'commander';
import { CATALOG_VERSION, frameworkOf, listControls, loadCatalog } from '../../reports/evidence/catalog.ts';
import { CONTROL_TESTS } from '../../reports/evidence/control-tests.ts';

/** `accessproof controls [--framework X] [--json]`: the control catalog (no store needed). */
export function registerControls(program: Command): void {
  program.command('controls')
    .description('list the controls evidence packs can test (soc2, pci-dss, nist-800-53, iso-27001, cis-v8, hipaa)')
    .option('--framework <id>', 'only this framework')
    .option('--json', 'print JSON')
    .action((opts: { framework?: string; json?: boolean }) => {
      const controls = listControls(opts.framework);
      if (opts.json) {
        process.stdout.write(`${JSON.stringify({ catalog_version: CATALOG_VERSION, catalog_sha256: loadCatalog().digest, controls })}\n`);
        return;
      }
      const out: string[] = [`control catalog ${CATALOG_VERSION}`];
      let current = '';
      for (const c of controls) {
        if (c.framework !== current) {
          current = c.framework;
          const f = frameworkOf(c.framework).framework;
          out.push('', `${f.id}: ${f.name} ${f.version}`);
        }
        out.push(`  ${c.id.padEnd(12)} ${c.title}`);
        out.push(`  ${''.padEnd(12)} tests: ${c.tests.map((t) => `${t} (${CONTROL_TESTS[t].title})`).join('; ')}`);
      }
      process.stdout.write(`${out.join('\n')}\n`);
    });
}
