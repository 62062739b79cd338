import { chOf } from '../../ingest/correlate/events.ts';
import type { Store } from '../../schema/store/store.ts';
import { loadEventBreakdowns, type EventBreakdowns } from './event-queries.ts';
import { periodJson, type Period } from './metrics.ts';

// The activity report of a period (README "Activity"): the event-level figures next to the session metrics —
// which second factors each source saw, how many people were active, the most active people and the most widely
// reached resources, and how late events arrived. Served by `accessproof activity` and GET /v1/metrics/activity.

/** Length of the top-people and top-resources lists when the caller does not say. */
export const ACTIVITY_DEFAULT_LIMIT = 20;
/** Longest top-N list a caller may ask for. */
export const ACTIVITY_MAX_LIMIT = 1000;

/** The activity JSON of a period. */
export interface Activity extends EventBreakdowns {
  readonly period: { readonly from: string; readonly to: string };
  readonly limit: number;
}

/** Computes the activity report of [from, to). Every count is exact; reads built days from the report rollups. */
export async function computeActivity(store: Store, p: Period, limit = ACTIVITY_DEFAULT_LIMIT): Promise<Activity> {
  const figures = await loadEventBreakdowns(store, { from: chOf(p.from), to: chOf(p.to), limit });
  return { period: periodJson(p), limit, ...figures };
}

const seconds = (s: number | null): string => (s === null ? '-' : `${s} s`);

/** The activity report as text (the CLI without --json). */
export function activityText(a: Activity): string {
  const lines = [`period ${a.period.from} .. ${a.period.to}`, 'second factors by source:'];
  const sources = [...new Set(a.method_mix.map((m) => m.source))];
  for (const s of sources) {
    const mix = a.method_mix.filter((m) => m.source === s)
      .map((m) => `${m.method || '(none)'} ${m.events} (verified ${m.verified}, phishing-resistant ${m.phishing_resistant})`);
    lines.push(`  ${s}: ${mix.join(', ')}`);
  }
  lines.push('active people by month:');
  for (const month of [...new Set(a.active_users.map((u) => u.month))]) {
    const per = a.active_users.filter((u) => u.month === month).map((u) => `${u.source} ${u.users} people / ${u.events} events`);
    lines.push(`  ${month.slice(0, 7)}: ${per.join(', ')}`);
  }
  lines.push(`top ${a.limit} people by events:`);
  for (const u of a.top_users) {
    lines.push(`  ${u.user}: ${u.events} events, ${u.logins} logins, ${u.mfa_verified} with verified MFA, ${u.failures} failed or denied, ${u.privileged_events} privileged, ${u.resources} resources, ${u.sources} sources`);
  }
  lines.push(`top ${a.limit} resources by people:`);
  for (const r of a.top_resources) {
    lines.push(`  ${r.resource} (${r.resource_type}): ${r.users} people, ${r.events} events, ${r.privileged_successes} privileged successes, ${r.privileged_without_mfa} of them without verified MFA`);
  }
  const lag = a.ingest_lag;
  lines.push(`ingestion lag over ${lag.events} events: p50 ${seconds(lag.p50_s)}, p90 ${seconds(lag.p90_s)}, p99 ${seconds(lag.p99_s)}`);
  return `${lines.join('\n')}\n`;
}
