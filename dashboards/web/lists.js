// Row lists: drill-down findings and sessions, source health, recent events. Columns follow the API's JSON fields.

import { h, table } from './charts.js';
import { formatAge, formatTime, humanize } from './format.js';
import { BINDING_LABELS, FINDING_LABELS, METHOD_LABELS } from './panels.js';

const BINDING_BADGE = { direct: 'good', idp_bound: 'good', exempt: 'warn', none: 'bad' };
const STATE_BADGE = { running: 'good', idle: 'good', starting: 'neutral', backoff: 'warn', failed: 'bad', stopped: 'neutral', disabled: 'neutral' };
const OUTCOME_BADGE = { success: 'good', failure: 'bad', denied: 'warn' };

const badge = (text, tone) => h('span', { class: `badge ${tone ?? 'neutral'}` }, text);
const ids = (a) => (Array.isArray(a) ? a : []);

/** Findings rows; a person opens that person's sessions. */
export function findingsTable(rows, { onPerson }) {
  return table(rows, [
    { label: 'Time (UTC)', cell: (f) => formatTime(f.event_time), cls: 'nowrap' },
    { label: 'Kind', cell: (f) => FINDING_LABELS[f.kind] ?? humanize(f.kind) },
    { label: 'Person', cell: (f) => (f.person ? h('button', { type: 'button', class: 'linkish', onclick: () => onPerson(f.person) }, f.person) : '–') },
    { label: 'Identity', cell: (f) => f.identity, cls: 'wrap' },
    { label: 'Resource', cell: (f) => f.resource, cls: 'wrap' },
    { label: 'Surface', cell: (f) => humanize(f.surface) },
    { label: 'Detail', cell: (f) => f.detail, cls: 'wrap' },
    { label: 'Evidence events', num: true, cell: (f) => String(ids(f.evidence_event_ids).length) },
  ], { caption: 'Each finding lists the stored events that prove it (GET /v1/findings).', testid: 'findings-table', empty: 'No findings of this kind in this period.' });
}

/** Session rows; `note` is appended to the caption. */
export function sessionsTable(rows, { note = '' } = {}) {
  return table(rows, [
    { label: 'Started (UTC)', cell: (s) => formatTime(s.started_at), cls: 'nowrap' },
    { label: 'Person', cell: (s) => s.person || '–' },
    { label: 'Identity', cell: (s) => s.identity, cls: 'wrap' },
    { label: 'Identity kind', cell: (s) => humanize(s.identity_kind) },
    { label: 'Resource', cell: (s) => s.resource, cls: 'wrap' },
    { label: 'Surface', cell: (s) => humanize(s.surface) },
    { label: 'Path', cell: (s) => s.path },
    { label: 'Binding', cell: (s) => badge(BINDING_LABELS[s.mfa_binding] ?? s.mfa_binding, BINDING_BADGE[s.mfa_binding]) },
    { label: 'MFA method', cell: (s) => METHOD_LABELS[s.mfa_method] ?? humanize(s.mfa_method) },
    { label: 'Phishing-resistant', cell: (s) => (s.phishing_resistant ? 'yes' : 'no') },
    { label: 'Env', cell: (s) => s.environment },
  ], { caption: `Correlated sessions (GET /v1/sessions).${note}`, testid: 'sessions-table', empty: `No sessions match.${note}` });
}

/** GET /v1/sources rows. */
export function sourcesTable(rows) {
  return table(rows, [
    { label: 'Source', cell: (s) => s.name },
    { label: 'Kind', cell: (s) => s.kind },
    { label: 'State', cell: (s) => badge(humanize(s.state), STATE_BADGE[s.state]) },
    { label: 'Newest event lag', num: true, cell: (s) => formatAge(s.lag_seconds) },
    { label: 'Events today', num: true, cell: (s) => String(s.events_today) },
    { label: 'Dead letters today', num: true, cell: (s) => (s.dead_letters_today > 0 ? badge(String(s.dead_letters_today), 'warn') : '0') },
    { label: 'Last success (UTC)', cell: (s) => formatTime(s.last_success_at) },
    { label: 'Last error', cell: (s) => (s.last_error ? `${formatTime(s.last_error.at)} ${s.last_error.code}: ${s.last_error.message}` : '–'), cls: 'wrap' },
  ], { caption: 'Configured and seen sources; lag is the age of the newest stored event.', testid: 'sources-table', empty: 'No sources configured or seen yet.' });
}

/** GET /v1/events rows (newest first). */
export function eventsTable(rows) {
  return table(rows, [
    { label: 'Time (UTC)', cell: (e) => formatTime(e.event_time), cls: 'nowrap' },
    { label: 'Source', cell: (e) => e.source },
    { label: 'Action', cell: (e) => humanize(e.action) },
    { label: 'User', cell: (e) => e.user || e.user_raw || '–', cls: 'wrap' },
    { label: 'Resource', cell: (e) => e.resource || '–', cls: 'wrap' },
    { label: 'Outcome', cell: (e) => badge(e.outcome, OUTCOME_BADGE[e.outcome]) },
    { label: 'MFA', cell: (e) => {
      const name = METHOD_LABELS[e.mfa_method] ?? humanize(e.mfa_method);
      return e.mfa_verified ? name : e.mfa_method === 'none' ? '–' : `${name} (not verified)`;
    } },
  ], { caption: 'Latest normalized events of the period.', testid: 'events-table', empty: 'No events in this period.' });
}
