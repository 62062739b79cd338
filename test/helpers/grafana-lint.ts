import { readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { REPO_ROOT } from './shared.ts';

/** The Grafana plugin every accessproof dashboard queries through. */
export const CLICKHOUSE_PLUGIN = 'grafana-clickhouse-datasource';
export const GRAFANA_DIR = join(REPO_ROOT, 'dashboards', 'grafana');
const MIGRATIONS_DIR = join(REPO_ROOT, 'schema', 'migrations');

/** A table or view created by the migrations, and whether reads must use FINAL (versioned rows with tombstones). */
export interface MigratedTable { readonly name: string; readonly needsFinal: boolean }

/** Tables and views the migrations create, from `CREATE ... IF NOT EXISTS <name>` statements. */
export function migratedTables(dir: string = MIGRATIONS_DIR): Map<string, MigratedTable> {
  const tables = new Map<string, MigratedTable>();
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.sql')).sort()) {
    const sql = readFileSync(join(dir, file), 'utf8').replace(/--[^\n]*/g, '');
    // Each statement up to the next CREATE: its name and its ENGINE clause.
    for (const stmt of sql.split(/(?=\bCREATE\s)/i)) {
      const m = /^CREATE\s+(?:TABLE|(?:MATERIALIZED\s+)?VIEW)\s+IF\s+NOT\s+EXISTS\s+(?:\w+\.)?(\w+)/i.exec(stmt.trim());
      if (!m) continue;
      const engine = /ENGINE\s*=\s*(\w+)(\([^)]*\))?/i.exec(stmt);
      const needsFinal = Boolean(engine && /Replacing/i.test(engine[1] ?? '') && /is_deleted/.test(engine[2] ?? ''));
      tables.set((m[1] as string).toLowerCase(), { name: m[1] as string, needsFinal });
    }
  }
  return tables;
}

/** A dashboard JSON as far as the lint reads it. */
export interface DashboardFile { readonly file: string; readonly json: unknown }

/** Every `dashboards/grafana/json/*.json`, parsed. */
export function loadDashboards(dir: string = join(GRAFANA_DIR, 'json')): DashboardFile[] {
  return readdirSync(dir).filter((f) => f.endsWith('.json')).sort()
    .map((file) => ({ file, json: JSON.parse(readFileSync(join(dir, file), 'utf8')) as unknown }));
}

const isRecord = (v: unknown): v is Record<string, unknown> => typeof v === 'object' && v !== null && !Array.isArray(v);
const arr = (v: unknown): unknown[] => (Array.isArray(v) ? v : []);
const str = (v: unknown): string => (typeof v === 'string' ? v : '');

/** Every `datasource` object in the document, with a path for messages. */
function datasourceRefs(node: unknown, path: string, out: { path: string; ref: unknown }[] = []): { path: string; ref: unknown }[] {
  if (Array.isArray(node)) node.forEach((n, i) => datasourceRefs(n, `${path}[${i}]`, out));
  else if (isRecord(node)) {
    for (const [k, v] of Object.entries(node)) {
      if (k === 'datasource') out.push({ path: `${path}.datasource`, ref: v });
      datasourceRefs(v, `${path}.${k}`, out);
    }
  }
  return out;
}

/** Every SQL text of the dashboard: panel targets, annotation targets and query variables. */
export function dashboardSql(d: unknown): { where: string; sql: string }[] {
  const out: { where: string; sql: string }[] = [];
  const root = isRecord(d) ? d : {};
  const walkPanels = (panels: unknown[]): void => {
    for (const p of panels) {
      if (!isRecord(p)) continue;
      for (const t of arr(p.targets)) if (isRecord(t) && str(t.rawSql)) out.push({ where: `panel "${str(p.title)}"`, sql: str(t.rawSql) });
      walkPanels(arr(p.panels));
    }
  };
  walkPanels(arr(root.panels));
  for (const v of arr(isRecord(root.templating) ? root.templating.list : [])) {
    if (isRecord(v) && v.type === 'query') {
      const q = isRecord(v.query) ? str(v.query.rawSql) : str(v.query);
      if (q) out.push({ where: `variable "${str(v.name)}"`, sql: q });
    }
  }
  for (const a of arr(isRecord(root.annotations) ? root.annotations.list : [])) {
    if (isRecord(a) && isRecord(a.target) && str(a.target.rawSql)) out.push({ where: `annotation "${str(a.name)}"`, sql: str(a.target.rawSql) });
  }
  return out;
}

/** Formats that escape a value into a SQL string literal (Grafana's `${var:format}`). */
const QUOTING_FORMATS = new Set(['singlequote', 'sqlstring']);

/** Template-variable problems of one SQL text: bare or hand-quoted interpolations, unknown variables. */
export function variableProblems(sql: string, defined: ReadonlySet<string>): string[] {
  const problems: string[] = [];
  // $__conditionalAll(cond, $var) names the variable only to test for "All"; the plugin never interpolates it there.
  const stripped = sql.replace(/(\$__conditionalAll\((?:[^()]|\([^()]*\))*,\s*)\$\{?(\w+)\}?\s*\)/g, (_m, head: string, name: string) => {
    if (!defined.has(name)) problems.push(`$__conditionalAll names undefined variable ${name}`);
    return `${head})`;
  });
  const re = /\$\{(\w+)(?::(\w+))?\}|\$(\w+)|\[\[(\w+)(?::(\w+))?\]\]/g;
  for (const m of stripped.matchAll(re)) {
    const name = (m[1] ?? m[3] ?? m[4]) as string;
    const format = m[2] ?? m[5];
    if (name.startsWith('__')) continue; // plugin macros and Grafana globals ($__timeFilter, $__interval_s, ...)
    if (!defined.has(name)) problems.push(`undefined variable ${m[0]}`);
    if (!format || !QUOTING_FORMATS.has(format)) problems.push(`unquoted template variable ${m[0]} (use \${${name}:singlequote})`);
  }
  return problems;
}

/** Table problems of one SQL text: tables the migrations do not create, versioned tables read without FINAL. */
export function tableProblems(sql: string, tables: ReadonlyMap<string, MigratedTable>): string[] {
  const problems: string[] = [];
  const ctes = new Set([...sql.matchAll(/\b(\w+)\s+AS\s*\(/gi)].map((m) => (m[1] as string).toLowerCase()));
  for (const m of sql.matchAll(/\b(?:FROM|JOIN)\s+(?!\()`?([\w.]+)`?(\s+FINAL\b)?/gi)) {
    const ref = (m[1] as string).toLowerCase();
    const name = ref.includes('.') ? (ref.split('.').pop() as string) : ref;
    if (ctes.has(name)) continue;
    const t = tables.get(name);
    if (!t || ref.includes('.')) {
      problems.push(`table ${m[1]} is not created by schema/migrations (tables are read from the datasource's default database)`);
      continue;
    }
    if (t.needsFinal && !m[2]) problems.push(`${t.name} holds versioned rows with tombstones: read it with FINAL`);
  }
  if (!/^\s*(SELECT|WITH)\b/i.test(sql)) problems.push('not a SELECT query');
  if (/;\s*\S/.test(sql)) problems.push('more than one statement');
  return problems;
}

/** Every problem of one dashboard; [] when it passes. */
export function lintDashboard(d: unknown, tables: ReadonlyMap<string, MigratedTable>): string[] {
  if (!isRecord(d)) return ['not a JSON object'];
  const problems: string[] = [];
  if (!str(d.uid) || !/^[A-Za-z0-9_-]{1,40}$/.test(str(d.uid))) problems.push('uid missing or not 1-40 of [A-Za-z0-9_-]');
  if (!str(d.title).trim()) problems.push('title missing');
  const vars = arr(isRecord(d.templating) ? d.templating.list : []).filter(isRecord);
  const defined = new Set(vars.map((v) => str(v.name)));
  const dsVar = vars.find((v) => v.name === 'datasource');
  if (!dsVar || dsVar.type !== 'datasource' || dsVar.query !== CLICKHOUSE_PLUGIN) {
    problems.push(`no "datasource" variable of type datasource for ${CLICKHOUSE_PLUGIN}`);
  }
  for (const { path, ref } of datasourceRefs(d, '$')) {
    if (isRecord(ref) && ref.type === 'grafana' && ref.uid === '-- Grafana --') continue; // built-in annotations
    if (!isRecord(ref) || ref.uid !== '${datasource}' || ref.type !== CLICKHOUSE_PLUGIN) {
      problems.push(`${path}: datasource must be {"type":"${CLICKHOUSE_PLUGIN}","uid":"\${datasource}"}, got ${JSON.stringify(ref)}`);
    }
  }
  const ids = new Set<number>();
  const titles = new Set<string>();
  for (const p of arr(d.panels).filter(isRecord)) {
    const id = typeof p.id === 'number' ? p.id : NaN;
    if (!Number.isInteger(id) || ids.has(id)) problems.push(`panel "${str(p.title)}": id missing or duplicated`);
    ids.add(id);
    // Titles are how people (and tests) name panels; two panels with one title are ambiguous.
    if (!str(p.title).trim() || titles.has(str(p.title))) problems.push(`panel "${str(p.title)}": title missing or duplicated`);
    titles.add(str(p.title));
    if (p.type !== 'row' && (!isRecord(p.datasource) || arr(p.targets).length === 0)) problems.push(`panel "${str(p.title)}": no datasource or no query`);
    const g = isRecord(p.gridPos) ? p.gridPos : {};
    if (typeof g.x !== 'number' || typeof g.w !== 'number' || g.x + g.w > 24) problems.push(`panel "${str(p.title)}": gridPos outside the 24 columns`);
  }
  for (const { where, sql } of dashboardSql(d)) {
    for (const p of [...variableProblems(sql, defined), ...tableProblems(sql, tables)]) problems.push(`${where}: ${p}`);
  }
  return problems;
}

/** Period and variable values for {@link expandGrafanaSql}. */
export interface ExpandOptions { readonly from: Date; readonly to: Date; readonly vars?: Readonly<Record<string, readonly string[]>> }

const chLiteral = (s: string): string => `'${s.replace(/\\/g, '\\\\').replace(/'/g, "\\'")}'`;

/**
 * Expands the plugin macros this project's dashboards use the way grafana-clickhouse-datasource does, so a test can
 * run a panel's SQL against a store. `$__timeFilter` is second-granular like the plugin's; a variable not in `vars`
 * is "All" (its `$__conditionalAll` becomes 1=1).
 */
export function expandGrafanaSql(sql: string, o: ExpandOptions): string {
  const fromS = Math.floor(o.from.getTime() / 1000);
  const toS = Math.floor(o.to.getTime() / 1000);
  const vars = o.vars ?? {};
  let out = sql.replace(/\$__conditionalAll\(((?:[^()]|\([^()]*\))*),\s*\$\{?(\w+)\}?\s*\)/g,
    (_m, cond: string, name: string) => (vars[name] ? cond : '1=1'));
  out = out.replace(/\$__timeFilter\(([^)]+)\)/g, (_m, col: string) => `${col} >= toDateTime(${fromS}) AND ${col} <= toDateTime(${toS})`);
  out = out.replace(/\$\{(\w+):(singlequote|sqlstring)\}/g, (_m, name: string) => (vars[name] ?? []).map(chLiteral).join(','));
  return out;
}
