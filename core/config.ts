import { readFileSync } from 'node:fs';
import { resolve } from 'node:path';
import { parse as parseYaml } from 'yaml';
import { z } from 'zod';
import { ConfigError } from './errors.ts';
import { SourcesConfig, credentialEnvNames } from '../ingest/sources/source-config.ts';
import { ReceiversConfig } from '../ingest/receivers/receivers-config.ts';

const emptyAsUnset = (v: unknown): unknown => (v === '' ? undefined : v);
const optionalString = z.preprocess(emptyAsUnset, z.string().optional());
const intIn = (min: number, max: number, def: number) =>
  z.preprocess(emptyAsUnset, z.coerce.number().int().min(min).max(max).default(def));

/** Environment variables (documented in README "Configuration"). Empty strings count as unset. */
export const EnvSchema = z.object({
  ACCESSPROOF_DATA_DIR: z.preprocess(emptyAsUnset, z.string().default('./data')),
  ACCESSPROOF_CONFIG: optionalString,
  ACCESSPROOF_HOST: z.preprocess(emptyAsUnset, z.string().default('127.0.0.1')),
  ACCESSPROOF_PORT: intIn(0, 65535, 8080),
  ACCESSPROOF_RETENTION_DAYS: intIn(1, 3650, 400),
  ACCESSPROOF_BODY_LIMIT_BYTES: intIn(1024, 64 * 1024 * 1024, 5 * 1024 * 1024),
  CLICKHOUSE_URL: z.preprocess(emptyAsUnset, z.string().url().optional()),
  CLICKHOUSE_USER: z.preprocess(emptyAsUnset, z.string().default('default')),
  CLICKHOUSE_PASSWORD: z.preprocess(emptyAsUnset, z.string().default('')),
  /** Server mode: a replicated cluster (ON CLUSTER + Replicated*MergeTree in the migrations; README "Scaling out"). */
  CLICKHOUSE_CLUSTER: z.preprocess(emptyAsUnset, z.string().regex(/^[A-Za-z_][A-Za-z0-9_.-]*$/, 'must be a plain cluster name').optional()),
  CLICKHOUSE_DATABASE: z.preprocess(emptyAsUnset, z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'must be a plain identifier').default('accessproof')),
  KAFKA_BROKERS: optionalString,
  KAFKA_CLIENT_ID: z.preprocess(emptyAsUnset, z.string().default('accessproof')),
  KAFKA_GROUP_ID: z.preprocess(emptyAsUnset, z.string().default('accessproof-workers')),
  KAFKA_RAW_TOPIC: z.preprocess(emptyAsUnset, z.string().default('accessproof.raw')),
  KAFKA_DEAD_LETTER_TOPIC: z.preprocess(emptyAsUnset, z.string().default('accessproof.dead-letter')),
  KAFKA_PARTITIONS: intIn(1, 10000, 6),
  KAFKA_REPLICATION_FACTOR: intIn(1, 10, 1),
  KAFKA_SESSION_TIMEOUT_MS: intIn(1000, 300_000, 30_000),
  KAFKA_HEARTBEAT_INTERVAL_MS: intIn(100, 60_000, 3000),
  WORKER_METRICS_PORT: intIn(0, 65535, 8081),
  STORE_BATCH_SIZE: intIn(1, 1_000_000, 10_000),
  /** Worker threads that normalise ingest batches: `auto` = one per core (at most 8), 0 = on the main thread. */
  NORMALIZE_WORKERS: z.preprocess(emptyAsUnset, z.union([z.literal('auto'), z.coerce.number().int().min(0).max(64)], { error: "expected 'auto' or a whole number from 0 to 64" }).default('auto')),
  LOG_LEVEL: z.preprocess(emptyAsUnset, z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info')),
});
export type Env = z.infer<typeof EnvSchema>;

/** Policy: what counts as privileged, the MFA binding windows, SLAs. */
export const PolicyConfig = z.object({
  privileged_resources: z.array(z.string()).default([]),
  environment_rules: z.array(z.object({ pattern: z.string(), environment: z.enum(['prod', 'staging', 'dev']) })).default([]),
  db_superusers: z.array(z.string().transform((s) => s.toLowerCase())).default(['postgres', 'rdsadmin', 'root', 'admin', 'superuser']),
  store_read_only_cloud_calls: z.boolean().default(false),
  /** Max minutes between an IdP MFA success and the credential issuance it covers. */
  issue_window_minutes: z.number().positive().max(24 * 60).default(10),
  /** Max hours a gateway/federated credential covers sessions after issuance. */
  credential_ttl_hours: z.number().positive().max(24 * 30).default(12),
  revocation_sla_hours: z.number().positive().default(24),
  break_glass_review_days: z.number().positive().default(2),
  /** SSH certificate authority fingerprints of the access gateway (sshd cert logins signed by these = gateway path). */
  gateway_ca_fingerprints: z.array(z.string()).default([]),
  /** Admin role/policy names considered privileged (case-insensitive substrings). */
  admin_role_patterns: z.array(z.string()).default(['admin', 'owner', 'root', 'superuser', 'cluster-admin', 'system:masters']),
  /** Environments whose resources are privileged by default (production access is privileged access). */
  privileged_environments: z.array(z.enum(['prod', 'staging', 'dev', 'unknown'])).default(['prod']),
  /** Days after a revocation trigger in which downstream revocations close it and sessions count as post-revocation. */
  revocation_lookahead_days: z.number().int().positive().max(90).default(7),
  /** Local cloud accounts (IAM user names or ARNs) known to hold admin rights that CloudTrail never showed being granted. */
  local_admin_accounts: z.array(z.string()).default([]),
  /** Max seconds between a gateway session and the host/database/cluster login it produced (sshd cert, PostgreSQL pid). */
  gateway_match_seconds: z.number().int().positive().max(3600).default(60),
}).strict();
export type PolicyConfig = z.infer<typeof PolicyConfig>;

/** The config file (YAML or JSON): organisation, sources, identities, policy. */
export const FileConfig = z.object({
  organisation: z.string().default('Example Organisation'),
  sources: SourcesConfig.default([]),
  receivers: ReceiversConfig.prefault({}),
  identities: z.array(z.object({ person: z.string().email().transform((s) => s.toLowerCase()), aliases: z.array(z.string()).default([]) })).default([]),
  break_glass_accounts: z.array(z.string()).default([]),
  shared_accounts: z.array(z.string()).default([]),
  service_accounts: z.array(z.string()).default([]),
  policy: PolicyConfig.prefault({}),
  evidence: z.object({
    signing_key_path: z.string().optional(),
    organisation: z.string().optional(),
  }).strict().prefault({}),
}).strict();
export type FileConfig = z.infer<typeof FileConfig>;

/** The frozen, validated configuration passed to every factory. */
export interface Config {
  readonly env: Env;
  readonly file: FileConfig;
  readonly dataDir: string;
  readonly store: { readonly mode: 'embedded' | 'server'; readonly path: string; readonly url?: string; readonly user: string; readonly password: string; readonly database: string; readonly cluster?: string };
  readonly bus: { readonly mode: 'memory' | 'kafka'; readonly brokers: string[] };
  /**
   * Values of the environment variables the config file names as credentials (`token_env`, `client_secret_env`, ...),
   * read here so no other module touches process.env. A name missing from the environment is absent from the map.
   */
  readonly secrets: Readonly<Record<string, string>>;
}

function formatIssues(prefix: string, issues: readonly z.core.$ZodIssue[]): string {
  return issues.map((i) => `${prefix}${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`).join('\n');
}

/** Reads and validates the config file (YAML or JSON). Throws ConfigError naming the bad key. */
export function loadFileConfig(path: string | undefined): FileConfig {
  if (!path) return FileConfig.parse({});
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (e) {
    throw new ConfigError(`config file ${path}: ${(e as Error).message}`);
  }
  let doc: unknown;
  try {
    doc = path.endsWith('.json') ? JSON.parse(text) : parseYaml(text);
  } catch (e) {
    throw new ConfigError(`config file ${path}: not valid YAML/JSON: ${(e as Error).message}`);
  }
  const r = FileConfig.safeParse(doc ?? {});
  if (!r.success) throw new ConfigError(formatIssues(`config file ${path}: `, r.error.issues));
  return r.data;
}

/** Parses the environment (and the config file it points to) once; throws ConfigError on any problem. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env, overrides: { configPath?: string; dataDir?: string } = {}): Config {
  const r = EnvSchema.safeParse(env);
  if (!r.success) throw new ConfigError(formatIssues('environment variable ', r.error.issues));
  const e = r.data;
  const file = loadFileConfig(overrides.configPath ?? e.ACCESSPROOF_CONFIG);
  const dataDir = resolve(overrides.dataDir ?? e.ACCESSPROOF_DATA_DIR);
  const brokers = (e.KAFKA_BROKERS ?? '').split(',').map((s) => s.trim()).filter(Boolean);
  const secrets: Record<string, string> = {};
  for (const source of file.sources) {
    for (const name of credentialEnvNames(source)) {
      const value = env[name];
      if (value !== undefined && value !== '') secrets[name] = value;
    }
  }
  return Object.freeze({
    env: e,
    file,
    dataDir,
    store: {
      mode: e.CLICKHOUSE_URL ? 'server' : 'embedded',
      path: resolve(dataDir, 'clickhouse'),
      url: e.CLICKHOUSE_URL,
      user: e.CLICKHOUSE_USER,
      password: e.CLICKHOUSE_PASSWORD,
      database: e.CLICKHOUSE_DATABASE,
      cluster: e.CLICKHOUSE_URL ? e.CLICKHOUSE_CLUSTER : undefined,
    },
    bus: { mode: brokers.length ? 'kafka' : 'memory', brokers },
    secrets: Object.freeze(secrets),
  } as const);
}
