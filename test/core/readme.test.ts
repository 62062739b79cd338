import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { describe, expect, it } from 'vitest';
import { EnvSchema, FileConfig } from '../../core/config.ts';
import { COMMANDS } from '../../core/commands/index.ts';
import { Command } from 'commander';
import { REPO_ROOT } from '../helpers/shared.ts';

const README = readFileSync(join(REPO_ROOT, 'README.md'), 'utf8');

/** The README must stay true: its config example parses, and it names every variable and command. */
describe('README', () => {
  it('documents every environment variable of the config schema', () => {
    for (const key of Object.keys(EnvSchema.shape)) expect(README, key).toContain(`\`${key}\``);
  });

  it('its config-file example is a valid config', () => {
    const m = /### Config file\n\n```yaml\n([\s\S]*?)```/.exec(README);
    expect(m).not.toBeNull();
    const parsed = FileConfig.safeParse(parseYaml(m?.[1] ?? ''));
    expect(parsed.success, parsed.success ? '' : JSON.stringify(parsed.error.issues)).toBe(true);
  });

  it('documents every CLI command', () => {
    const program = new Command('accessproof');
    for (const register of COMMANDS) register(program, () => { throw new Error('not run'); });
    const names = program.commands.map((c) => c.name());
    expect(names.length).toBeGreaterThan(10);
    for (const name of names) expect(README, name).toMatch(new RegExp(`\`${name}[ \`]`));
  });

  it('states the two commands: run the main job, run the tests', () => {
    expect(README).toContain('npm ci && npm start');
    expect(README).toContain('npm ci && npm test');
    expect(readFileSync(join(REPO_ROOT, '.ci', 'run'), 'utf8')).toContain('npm ci && npm test');
  });
});
