import { z } from 'zod';

// Row shapes the evidence queries return (ClickHouse JSONEachRow: Int64 comes back as a string, Bool as boolean).
// Times are selected as ISO text (`...T..:..:..mmmZ`) so CSVs, JSON and the PDF print the same value.

const num = z.coerce.number();

/** Renames `<column>_iso` keys back to `<column>` (see the note in queries.ts). */
export function unIso(v: unknown): unknown {
  if (v === null || typeof v !== 'object' || Array.isArray(v)) return v;
  const out: Record<string, unknown> = {};
  for (const [k, x] of Object.entries(v as Record<string, unknown>)) out[k.endsWith('_iso') ? k.slice(0, -4) : k] = x;
  return out;
}
const bool = z.union([z.boolean(), z.number(), z.string()]).transform((v) => v === true || v === 1 || v === '1' || v === 'true');

/** One session of the population (sessions FINAL). */
export const PopulationRow = z.preprocess(unIso, z.object({
  session_key: z.string(),
  started_at: z.string(),
  ended_at: z.string().nullable(),
  person: z.string(),
  identity: z.string(),
  identity_kind: z.string(),
  resource: z.string(),
  resource_type: z.string(),
  environment: z.string(),
  surface: z.string(),
  path: z.string(),
  privileged: bool,
  mfa_binding: z.string(),
  mfa_method: z.string(),
  phishing_resistant: bool,
  mfa_event_id: z.string(),
  mfa_age_seconds: num.nullable(),
  exemption_id: z.string(),
  break_glass: bool,
  source: z.string(),
  event_count: num,
  event_ids: z.array(z.string()),
}));
export type PopulationRow = z.infer<typeof PopulationRow>;

/** One finding (findings FINAL). */
export const FindingRow = z.preprocess(unIso, z.object({
  finding_id: z.string(),
  kind: z.string(),
  person: z.string(),
  identity: z.string(),
  resource: z.string(),
  surface: z.string(),
  session_key: z.string(),
  event_time: z.string(),
  evidence_event_ids: z.array(z.string()),
  detail: z.string(),
  privileged: bool,
}));
export type FindingRow = z.infer<typeof FindingRow>;

/** One revocation episode (revocations FINAL). */
export const RevocationRow = z.preprocess(unIso, z.object({
  person: z.string(),
  trigger_time: z.string(),
  trigger_kind: z.string(),
  trigger_ref: z.string(),
  closed_at: z.string(),
  closing_ref: z.string(),
  hours: num,
  over_sla: bool,
  evidence_event_ids: z.array(z.string()),
}));
export type RevocationRow = z.infer<typeof RevocationRow>;

/** The state of one exemption, folded from its append-only rows. */
export const ExemptionInfo = z.preprocess(unIso, z.object({
  exemption_id: z.string(),
  person_pattern: z.string(),
  resource_pattern: z.string(),
  reason: z.string(),
  approver: z.string(),
  starts_at: z.string(),
  expires_at: z.string(),
  created_by: z.string(),
  revoked_at: z.string().nullable(),
  revoked_by: z.string(),
}));
export type ExemptionInfo = z.infer<typeof ExemptionInfo>;

/** A finding reduced to what an exception row cites. */
export interface FindingRef { readonly finding_id: string; readonly kind: string }

/** Facts about one session gathered from other tables, used by the tests' pass rules and dispositions. */
export interface SessionFacts {
  readonly findings: readonly FindingRef[];
  readonly exemption?: ExemptionInfo;
  readonly reviewed: boolean;
}
