import { z } from 'zod';

const envName = z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/, 'an environment variable name');

/** Common keys of every polled source. Credentials are named by environment variable, never inlined. */
const base = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, _ . -'),
  enabled: z.boolean().default(true),
  /** Seconds between polls once caught up. */
  interval_seconds: z.number().min(1).max(86_400).default(60),
  /**
   * Windowed sources (entra, google, duo) start each window this many seconds before the end of the last one, so
   * late-arriving events are read again; event_id idempotency removes the overlap's duplicates. Okta's polling
   * cursor is already gap-free (filtered by persistence time) and ignores it.
   */
  overlap_seconds: z.number().min(0).max(7 * 86_400).default(300),
  /** Where to start on first run (ISO instant); default: 7 days ago. */
  start_at: z.string().datetime({ offset: true }).optional(),
  /** Records per request (every vendor caps it at 1000). */
  page_size: z.number().int().min(1).max(1000).default(1000),
  /** Timeout of one HTTP request. */
  request_timeout_seconds: z.number().min(1).max(600).default(60),
};

/** Okta System Log poller (`GET /api/v1/logs`). An SSWS API token of a read-only admin (or scope okta.logs.read). */
export const OktaSourceConfig = z.object({ ...base, type: z.literal('okta'), base_url: z.string().url(), token_env: envName }).strict();

/** Microsoft Graph sign-in poller. Application permission AuditLog.Read.All (+ Directory.Read.All). */
export const EntraSourceConfig = z.object({
  ...base,
  type: z.literal('entra'),
  tenant_id: z.string().min(1),
  client_id: z.string().min(1),
  client_secret_env: envName,
  graph_base_url: z.string().url().default('https://graph.microsoft.com'),
  login_base_url: z.string().url().default('https://login.microsoftonline.com'),
  /** beta carries authenticationDetails/authenticationRequirement (MFA evidence); v1.0 does not. */
  api_version: z.enum(['beta', 'v1.0']).default('beta'),
  /** Graph returns interactive sign-ins only unless asked for the other kinds. */
  sign_in_event_types: z.array(z.enum(['interactiveUser', 'nonInteractiveUser', 'servicePrincipal', 'managedIdentity'])).min(1).default(['interactiveUser']),
}).strict();

/** Google Admin SDK Reports poller (application `login`). Scope admin.reports.audit.readonly, domain-wide delegation. */
export const GoogleSourceConfig = z.object({
  ...base,
  type: z.literal('google'),
  /** Sent as `customerId` when set; by default the customer of the impersonated admin. */
  customer_id: z.string().optional(),
  /** Env var holding the service-account JSON key. */
  service_account_key_env: envName,
  /** Admin user the service account impersonates. */
  subject: z.string().email(),
  api_base_url: z.string().url().default('https://admin.googleapis.com'),
  token_url: z.string().url().default('https://oauth2.googleapis.com/token'),
}).strict();

/** Cisco Duo Admin API authentication-log poller. Admin API application with "Grant read log"; Duo asks for at most one log request a minute. */
export const DuoSourceConfig = z.object({
  ...base,
  type: z.literal('duo'),
  /** `api-XXXXXXXX.duosecurity.com` (host[:port], no scheme): it is part of every request signature. */
  api_host: z.string().regex(/^[A-Za-z0-9.-]+(:\d+)?$/, 'host[:port] without scheme'),
  integration_key_env: envName,
  secret_key_env: envName,
  /** Scheme for api_host; https in production, http only for local tests. */
  scheme: z.enum(['https', 'http']).default('https'),
}).strict();

/** One configured upstream source. */
export const SourceConfig = z.discriminatedUnion('type', [OktaSourceConfig, EntraSourceConfig, GoogleSourceConfig, DuoSourceConfig]);
export type SourceConfig = z.infer<typeof SourceConfig>;
export type OktaSourceConfig = z.infer<typeof OktaSourceConfig>;
export type EntraSourceConfig = z.infer<typeof EntraSourceConfig>;
export type GoogleSourceConfig = z.infer<typeof GoogleSourceConfig>;
export type DuoSourceConfig = z.infer<typeof DuoSourceConfig>;

/** The `sources:` list; names are unique because they key the saved cursors and the status. */
export const SourcesConfig = z.array(SourceConfig).superRefine((list, ctx) => {
  const seen = new Set<string>();
  list.forEach((s, i) => {
    if (seen.has(s.name)) ctx.addIssue({ code: 'custom', path: [i, 'name'], message: `duplicate source name "${s.name}"` });
    seen.add(s.name);
  });
});

/** The environment variables a source reads its credentials from. */
export function credentialEnvNames(s: SourceConfig): string[] {
  switch (s.type) {
    case 'okta': return [s.token_env];
    case 'entra': return [s.client_secret_env];
    case 'google': return [s.service_account_key_env];
    case 'duo': return [s.integration_key_env, s.secret_key_env];
    default: {
      const never: never = s;
      throw new Error(`unhandled source ${String(never)}`);
    }
  }
}
