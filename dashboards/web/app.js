// Dashboard entry point: token handling, the period, loading the panels and the drill-down.
// document.body.dataset.state is "token" (asking for a token), "loading" or "ready" — tests and people can rely on it.

import { ApiError, clearToken, getJson, initialToken, listOf, saveToken } from './api.js';
import { h, mount } from './charts.js';
import { currentMonth, lastIncludedDay, periodRange } from './format.js';
import { eventsTable, findingsTable, sessionsTable, sourcesTable } from './lists.js';
import { renderMetrics } from './panels.js';

const $ = (id) => document.getElementById(id);
const PAGE_SIZE = 50;

const state = {
  /** Bumped on every reload and on sign-out, so answers to an older request are ignored. */
  generation: 0,
  period: null,
  /** The period the metrics API answered for (shown in the header). */
  shownPeriod: null,
  metrics: null,
  drill: null,
  drillRows: [],
  drillHidden: 0,
  drillCursor: null,
};

function setState(s) {
  document.body.dataset.state = s;
  $('main').setAttribute('aria-busy', s === 'loading' ? 'true' : 'false');
}

function showError(id, err) {
  const el = $(id);
  el.textContent = err instanceof ApiError ? err.describe() : `Unexpected error: ${err instanceof Error ? err.message : String(err)}`;
  el.hidden = false;
}

function clearError(id) {
  const el = $(id);
  el.textContent = '';
  el.hidden = true;
}

/** Shows the token form (first visit, sign-out, or a 401 from any request). */
function askForToken(message) {
  clearToken();
  state.generation += 1;
  $('main').hidden = true;
  $('token-panel').hidden = false;
  const err = $('token-error');
  err.textContent = message ?? '';
  err.hidden = !message;
  $('token-input').value = '';
  setState('token');
  $('token-input').focus();
}

/** Routes an API failure: 401 means the token is missing, wrong or revoked → ask again; anything else is shown. */
function fail(err, errorId) {
  if (err instanceof ApiError && err.status === 401) {
    askForToken(`The API rejected the token (401 ${err.code}): ${err.message}. Enter a valid token.`);
    return;
  }
  showError(errorId, err);
}

function readPeriod() {
  const mode = document.querySelector('input[name="period-mode"]:checked')?.value ?? 'last30';
  return periodRange(mode, $('period-month').value);
}

function renderPeriodLabel(p, loading = false) {
  // The first request for a period may correlate its days on the server, which can take a while.
  $('period-label').textContent = `${p.label}: ${p.from} to ${lastIncludedDay(p.to)} (UTC)${loading ? ' · loading…' : ''}`;
}

function drawMetrics() {
  if (!state.metrics) return;
  renderMetrics(state.metrics, { onDrill: (d) => void openDrill(d), selected: state.drill?.key });
}

async function loadMetrics(gen, p) {
  try {
    const m = await getJson('/v1/metrics', { from: p.from, to: p.to });
    if (gen !== state.generation) return;
    clearError('metrics-error');
    state.metrics = m;
    drawMetrics();
    // The API's own period is what the numbers mean; show it rather than what was asked.
    state.shownPeriod = { label: p.label, from: m.period.from.slice(0, 10), to: m.period.to };
  } catch (e) {
    if (gen === state.generation) fail(e, 'metrics-error');
  }
}

async function loadSources(gen) {
  try {
    const body = await getJson('/v1/sources');
    if (gen !== state.generation) return;
    clearError('sources-error');
    mount($('sources-body'), sourcesTable(listOf(body, 'sources')));
  } catch (e) {
    if (gen === state.generation) fail(e, 'sources-error');
  }
}

async function loadEvents(gen, p) {
  try {
    const body = await getJson('/v1/events', { from: p.from, to: p.to, limit: 25 });
    if (gen !== state.generation) return;
    clearError('events-error');
    mount($('events-body'), eventsTable(listOf(body, 'events')));
  } catch (e) {
    if (gen === state.generation) fail(e, 'events-error');
  }
}

/** Reloads every panel for the selected period. */
async function loadAll() {
  const gen = ++state.generation;
  const p = readPeriod();
  state.period = p;
  state.shownPeriod = null;
  renderPeriodLabel(p, true);
  setState('loading');
  const jobs = [loadMetrics(gen, p), loadSources(gen), loadEvents(gen, p)];
  if (state.drill) jobs.push(loadDrillPage(false));
  await Promise.all(jobs);
  if (gen !== state.generation) return;
  renderPeriodLabel(state.shownPeriod ?? p);
  setState('ready');
}

/** Opens the drill-down for a bar (findings of a kind, sessions of a binding/surface/person). */
async function openDrill(drill) {
  state.drill = drill;
  $('drilldown-title').textContent = drill.title;
  $('drilldown').hidden = false;
  mount($('drilldown-body'), h('p', { class: 'empty' }, 'Loading…'));
  drawMetrics();
  await loadDrillPage(false);
  $('drilldown').focus();
}

function closeDrill() {
  state.drill = null;
  state.drillRows = [];
  $('drilldown').hidden = true;
  drawMetrics();
}

/**
 * One page of the drill-down. A drill-down opened from a coverage bar lists the sessions that bar counts: the metrics
 * count people and shared accounts, not service identities, and the sessions API has no such filter, so service
 * sessions are skipped here (and counted in the caption), fetching further pages until a page is full.
 */
async function fetchDrillRows(drill, p, cursor) {
  const path = drill.type === 'findings' ? '/v1/findings' : '/v1/sessions';
  const rows = [];
  let hidden = 0;
  let next = cursor;
  do {
    const body = await getJson(path, { ...drill.params, from: p.from, to: p.to, limit: drill.countedOnly ? 200 : PAGE_SIZE, cursor: next ?? undefined });
    const list = listOf(body, drill.type);
    const kept = drill.countedOnly ? list.filter((s) => s.identity_kind !== 'service') : list;
    hidden += list.length - kept.length;
    rows.push(...kept);
    next = body.next_cursor ?? null;
  } while (drill.countedOnly && rows.length < PAGE_SIZE && next);
  return { rows, hidden, next };
}

async function loadDrillPage(append) {
  const drill = state.drill;
  const p = state.period;
  if (!drill || !p) return;
  const gen = state.generation;
  const more = $('drilldown-more');
  more.disabled = true;
  try {
    const page = await fetchDrillRows(drill, p, append ? state.drillCursor : null);
    if (gen !== state.generation || drill !== state.drill) return;
    clearError('drilldown-error');
    state.drillRows = append ? [...state.drillRows, ...page.rows] : page.rows;
    state.drillHidden = (append ? state.drillHidden : 0) + page.hidden;
    state.drillCursor = page.next;
    const onPerson = (person) => void openDrill({ key: `person:${person}`, type: 'sessions', params: { person }, title: `Sessions of ${person}` });
    const note = state.drillHidden > 0 ? ` ${state.drillHidden} sessions of service identities are not listed: coverage counts people and shared accounts.` : '';
    mount($('drilldown-body'), h('div', { class: 'table-wrap' },
      drill.type === 'findings' ? findingsTable(state.drillRows, { onPerson }) : sessionsTable(state.drillRows, { note })));
    more.hidden = !state.drillCursor;
  } catch (e) {
    if (gen !== state.generation) return;
    mount($('drilldown-body'));
    more.hidden = true;
    fail(e, 'drilldown-error');
  } finally {
    more.disabled = false;
  }
}

function start() {
  const month = $('period-month');
  month.max = currentMonth();
  month.value = currentMonth();
  $('period-form').addEventListener('submit', (e) => e.preventDefault());
  for (const radio of document.querySelectorAll('input[name="period-mode"]')) radio.addEventListener('change', () => void loadAll());
  month.addEventListener('change', () => {
    document.querySelector('input[name="period-mode"][value="month"]').checked = true;
    void loadAll();
  });
  $('refresh').addEventListener('click', () => void loadAll());
  $('sign-out').addEventListener('click', () => askForToken(''));
  $('drilldown-close').addEventListener('click', closeDrill);
  $('drilldown-more').addEventListener('click', () => void loadDrillPage(true));
  $('token-form').addEventListener('submit', (e) => {
    e.preventDefault();
    const token = $('token-input').value.trim();
    if (!token) return;
    saveToken(token);
    $('token-panel').hidden = true;
    $('main').hidden = false;
    void loadAll();
  });

  if (initialToken()) {
    $('main').hidden = false;
    void loadAll();
  } else {
    askForToken('');
  }
}

start();
