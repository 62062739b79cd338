// Renders one GET /v1/metrics document into the headline numbers and the metric panels.

import { barList, h, mount } from './charts.js';
import { formatHours, formatInt, formatPct, humanize } from './format.js';

/** Short names of the finding kinds (README "Findings"); unknown kinds fall back to their code. */
export const FINDING_LABELS = {
  direct_ssh_key: 'Direct SSH key',
  shared_account: 'Shared account',
  local_cloud_user: 'Local cloud user',
  root_account: 'Root account',
  direct_db_superuser: 'Direct DB superuser',
  static_credential: 'Static credential',
  post_revocation_access: 'Post-revocation access',
  no_mfa: 'No MFA',
};

const FINDING_DESCRIPTIONS = {
  direct_ssh_key: 'SSH with a plain key, not through the gateway',
  shared_account: 'shared or break-glass account used without a per-person step-up',
  local_cloud_user: 'console or API access by a local IAM user outside SSO',
  root_account: 'any use of a cloud root account',
  direct_db_superuser: 'database superuser connection not through the gateway',
  static_credential: 'long-lived access keys used by a person',
  post_revocation_access: 'a session after the person\'s access was revoked',
  no_mfa: 'any other privileged session without MFA',
};

/** Readable names of the canonical MFA methods (schema/auth-event.ts MfaMethod). */
export const METHOD_LABELS = {
  none: 'none', sms: 'SMS', voice: 'voice call', email: 'email', totp: 'TOTP', push: 'push', push_number_match: 'number-match push',
  webauthn: 'WebAuthn', security_key: 'security key', smartcard: 'smart card', certificate: 'certificate', passkey: 'passkey',
  bypass: 'bypass code', unknown: 'unknown',
};

export const BINDING_LABELS = { direct: 'Direct MFA', idp_bound: 'IdP-bound MFA', exempt: 'Exempt', none: 'None (no MFA)' };
const BINDING_TONES = { direct: 'good', idp_bound: 'info', exempt: 'warn', none: 'bad' };
const BINDING_ORDER = ['direct', 'idp_bound', 'exempt', 'none'];

/** Sets a headline number: the formatted text plus the API's exact value in data-value (tests compare both). */
function setKpi(id, value, text) {
  const el = document.getElementById(id);
  el.textContent = text;
  el.dataset.value = value === null || value === undefined ? '' : String(value);
}

const sharePct = (part, whole) => (whole > 0 ? (100 * part) / whole : null);

/** Headline cards. */
function renderKpis(m) {
  setKpi('kpi-coverage', m.mfa_coverage_pct, formatPct(m.mfa_coverage_pct));
  document.getElementById('kpi-coverage-sub').textContent = m.privileged_sessions > 0
    ? `${formatInt(m.mfa_covered_sessions)} of ${formatInt(m.privileged_sessions)} privileged sessions (direct or IdP-bound MFA)`
    : 'no privileged sessions in this period';
  setKpi('kpi-phishing', m.phishing_resistant_pct, formatPct(m.phishing_resistant_pct));
  const findingsTotal = m.findings.reduce((s, f) => s + f.count, 0);
  setKpi('kpi-findings', findingsTotal, formatInt(findingsTotal));
  setKpi('kpi-superusers', m.local_superuser_accounts, formatInt(m.local_superuser_accounts));
  setKpi('kpi-failed', m.failed_logins, formatInt(m.failed_logins));
  setKpi('kpi-mfa-failures', m.mfa_failures, formatInt(m.mfa_failures));
}

function statList(container, items) {
  mount(container, ...items.map((it) => it.heading
    ? h('div', { class: 'stats-heading' }, it.heading)
    : h('div', {}, h('dt', {}, it.label), h('dd', { class: it.bad ? 'bad' : undefined, 'data-testid': it.testid, 'data-value': String(it.value ?? '') }, it.text))));
}

/**
 * Draws every metric panel. `onDrill({ type, params, title })` opens the drill-down; `selected` is the key of the
 * open drill-down (e.g. "findings:no_mfa") so its bar shows as pressed.
 */
export function renderMetrics(m, { onDrill, selected }) {
  renderKpis(m);

  const bindingRows = BINDING_ORDER.map((b) => ({
    key: `binding:${b}`, label: BINDING_LABELS[b], value: m.coverage_by_binding[b] ?? 0, tone: BINDING_TONES[b],
    display: formatInt(m.coverage_by_binding[b] ?? 0), sub: formatPct(sharePct(m.coverage_by_binding[b] ?? 0, m.privileged_sessions), 1),
  }));
  mount(document.getElementById('chart-binding'), barList(bindingRows, {
    label: 'Privileged sessions by MFA binding', testid: 'binding-bars', selected,
    onSelect: (key) => {
      const b = key.slice('binding:'.length);
      onDrill({ key, type: 'sessions', countedOnly: true, params: { binding: b, privileged: 'true' }, title: `Privileged sessions with binding: ${BINDING_LABELS[b]}` });
    },
  }));

  const surfaces = [...m.coverage_by_surface].sort((a, b) => b.privileged_sessions - a.privileged_sessions);
  mount(document.getElementById('chart-surface'), barList(surfaces.map((s) => ({
    key: `surface:${s.surface}`, label: humanize(s.surface), value: s.mfa_coverage_pct ?? 0,
    tone: (s.mfa_coverage_pct ?? 0) >= 95 ? 'good' : (s.mfa_coverage_pct ?? 0) >= 80 ? 'warn' : 'bad',
    display: formatPct(s.mfa_coverage_pct), sub: `${formatInt(s.mfa_covered_sessions)}/${formatInt(s.privileged_sessions)}`,
    describe: `${humanize(s.surface)}: ${formatPct(s.mfa_coverage_pct)} covered, ${s.mfa_covered_sessions} of ${s.privileged_sessions} privileged sessions`,
  })), {
    label: 'MFA coverage by surface', max: 100, testid: 'surface-bars', selected,
    onSelect: (key) => {
      const s = key.slice('surface:'.length);
      onDrill({ key, type: 'sessions', countedOnly: true, params: { surface: s, privileged: 'true' }, title: `Privileged ${humanize(s)} sessions` });
    },
  }));

  const methods = [...m.mfa_methods].sort((a, b) => b.sessions - a.sessions);
  const methodTotal = methods.reduce((s, x) => s + x.sessions, 0);
  mount(document.getElementById('chart-methods'), barList(methods.map((x) => ({
    key: `method:${x.method}`, label: METHOD_LABELS[x.method] ?? humanize(x.method), value: x.sessions, tone: x.method === 'none' || x.method === 'bypass' ? 'bad' : x.method === 'unknown' ? 'neutral' : 'info',
    display: formatInt(x.sessions), sub: formatPct(sharePct(x.sessions, methodTotal), 1),
  })), { label: 'Privileged sessions by MFA method', testid: 'method-bars' }));

  const findings = [...m.findings].sort((a, b) => b.count - a.count || a.kind.localeCompare(b.kind));
  mount(document.getElementById('chart-findings'), barList(findings.map((f) => ({
    key: `findings:${f.kind}`, label: FINDING_LABELS[f.kind] ?? humanize(f.kind), value: f.count, tone: 'bad',
    display: formatInt(f.count), describe: `${FINDING_LABELS[f.kind] ?? f.kind} (${FINDING_DESCRIPTIONS[f.kind] ?? f.kind}): ${f.count}`,
  })), {
    label: 'Findings by kind', testid: 'finding-bars', selected,
    onSelect: (key) => {
      const kind = key.slice('findings:'.length);
      onDrill({ key, type: 'findings', params: { kind }, title: `Findings: ${FINDING_LABELS[kind] ?? kind} — ${FINDING_DESCRIPTIONS[kind] ?? ''}` });
    },
  }));

  const r = m.time_to_revoke_hours;
  statList(document.getElementById('revoke-stats'), [
    { label: 'Revocations', value: r.count, text: formatInt(r.count), testid: 'revoke-count' },
    { label: 'Over SLA', value: r.over_sla, text: formatInt(r.over_sla), bad: r.over_sla > 0, testid: 'revoke-over-sla' },
    { label: 'Median (p50)', value: r.p50, text: formatHours(r.p50), testid: 'revoke-p50' },
    { label: 'p90', value: r.p90, text: formatHours(r.p90), testid: 'revoke-p90' },
    { label: 'Slowest', value: r.max, text: formatHours(r.max), testid: 'revoke-max' },
  ]);

  const bg = m.break_glass;
  const ex = m.exemptions;
  statList(document.getElementById('governance-stats'), [
    { heading: 'Break-glass uses' },
    { label: 'Reviewed', value: bg.reviewed, text: `${formatInt(bg.reviewed)} / ${formatInt(bg.uses)}`, testid: 'break-glass-reviewed' },
    { label: 'Unreviewed', value: bg.unreviewed, text: formatInt(bg.unreviewed), bad: bg.unreviewed > 0, testid: 'break-glass-unreviewed' },
    { heading: 'MFA exemptions' },
    { label: 'Active', value: ex.active, text: formatInt(ex.active), testid: 'exemptions-active' },
    { label: 'Expired', value: ex.expired, text: formatInt(ex.expired), testid: 'exemptions-expired' },
  ]);
}
