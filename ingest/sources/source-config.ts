import { z } from 'zod';

/** Common keys of every polled source. Credentials are named by environment variable, never inlined. */
const base = {
  name: z.string().regex(/^[a-z0-9][a-z0-9_.-]*$/, 'lower-case letters, digits, _ . -'),
  enabled: z.boolean().default(true),
  /** Seconds between polls once caught up. */
  interval_seconds: z.number().min(1).max(86_400).default(60),
  /** Re-read window for late events; event_id idempotency removes the overlap's duplicates. */
  overlap_seconds: z.number().min(0).max(7 * 86_400).default(300),
  /** Where to start on first run (ISO instant); default: 7 days ago. */
  start_at: z.string().optional(),
};

/** Okta System Log poller (`GET /api/v1/logs`). Scope okta.logs.read or an SSWS API token. */
export const OktaSourceConfig = z.object({ ...base, type: z.literal('okta'), base_url: z.string().url(), token_env: z.string() }).strict();

/** Microsoft Graph sign-in poller. Application permission AuditLog.Read.All. */
export const EntraSourceConfig = z.object({
  ...base,
  type: z.literal('entra'),
  tenant_id: z.string(),
  client_id: z.string(),
  client_secret_env: z.string(),
  graph_base_url: z.string().url().default('https://graph.microsoft.com'),
  login_base_url: z.string().url().default('https://login.microsoftonline.com'),
}).strict();

/** Google Admin SDK Reports poller (application `login`). Scope admin.reports.audit.readonly, domain-wide delegation. */
export const GoogleSourceConfig = z.object({
  ...base,
  type: z.literal('google'),
  customer_id: z.string().default('my_customer'),
  /** Env var holding the service-account JSON key. */
  service_account_key_env: z.string(),
  /** Admin user the service account impersonates. */
  subject: z.string().email(),
  api_base_url: z.string().url().default('https://admin.googleapis.com'),
  token_url: z.string().url().default('https://oauth2.googleapis.com/token'),
}).strict();

/** Cisco Duo Admin API authentication-log poller. Admin API application with "Grant read log". */
export const DuoSourceConfig = z.object({
  ...base,
  type: z.literal('duo'),
  api_host: z.string(),
  integration_key_env: z.string(),
  secret_key_env: z.string(),
  /** Scheme for api_host; https in production, http only for local tests. */
  scheme: z.enum(['https', 'http']).default('https'),
}).strict();

/** One configured upstream source. */
export const SourceConfig = z.discriminatedUnion('type', [OktaSourceConfig, EntraSourceConfig, GoogleSourceConfig, DuoSourceConfig]);
export type SourceConfig = z.infer<typeof SourceConfig>;
