import type { AuthEvent } from '../../../schema/auth-event.ts';
import { buildEvent, canonicalUser, isPrivilegedResource, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';
import {
  authMethodOf, failureReason, isCutCertificate, mfaOf, moduleMfa, parseKeyInfo, userTypeOf,
} from './login-fields.ts';
import { classifyLine, type AuthLine, type ClassifiedLine, type MfaLine, type SshMessage } from './messages.ts';
import { mapOtherEvents } from './other-events.ts';
import { parseSyslogLine, resolveLineTime } from './syslog-line.ts';

/** One classified line of a record with its resolved time. */
export interface Item extends ClassifiedLine {
  readonly iso: string;
}

/** Collects a record's events and keeps their source ids unique. */
export class EventSink {
  readonly events: AuthEvent[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly ctx: NormalizeContext) {}

  /** Adds one event per repetition (`message repeated N times` → N events, `#r1..#rN`). */
  add(item: Item, kind: string, f: EventFields): AuthEvent[] {
    const base = `${item.line.host}:${item.line.pid || item.line.program}:${item.iso}:${kind}`;
    const out: AuthEvent[] = [];
    for (let k = 1; k <= item.repeat; k++) {
      let id = item.repeat > 1 ? `${base}#r${k}` : base;
      // Same second, same kind, same connection (RFC 3164 has no sub-second part): keep both.
      for (let n = 2; this.seen.has(id); n++) id = `${base}#${n}`;
      this.seen.add(id);
      const details = item.repeat > 1 ? { ...f.details, repeat: `${k}/${item.repeat}` } : f.details;
      const ev = buildEvent('sshd', id, { ...f, details }, this.ctx);
      this.events.push(ev);
      out.push(ev);
    }
    return out;
  }
}

/** Maps one assembled sshd record (the grouped lines of one connection, or one line) to events. */
export function mapSshdRecord(raw: string, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const items: Item[] = [];
  for (const text of raw.split('\n')) {
    if (text.trim() === '') continue;
    const line = parseSyslogLine(text);
    if (!line) return reject('unparseable_line', 'not a syslog, RFC 5424 or journald line');
    const iso = resolveLineTime(line, ctx.ingested_at);
    if (!iso) return reject('invalid_time', `unusable timestamp on ${line.program} line`);
    items.push({ ...classifyLine(line), iso });
  }
  if (items.length === 0) return drop('empty_record');
  const problem = validate(items);
  if (problem) return reject(problem.reason, problem.detail);
  const sink = new EventSink(ctx);
  mapLogins(items, sink);
  mapOtherEvents(items, sink);
  if (sink.events.length > 0) return ok(sink.events);
  return drop(dropReason(items.map((i) => i.msg)));
}

function validate(items: readonly Item[]): { reason: string; detail: string } | null {
  // A VERBOSE `Accepted certificate ID ...` line supplies the certificate facts a short Accepted line lacks.
  const certLine = items.some((i) => i.msg.kind === 'cert_info');
  for (const { msg } of items) {
    if (msg.kind === 'auth' && msg.verb !== 'Postponed') {
      if (msg.truncated || (!certLine && isCutCertificate(msg.key_info))) return { reason: 'truncated_line', detail: `${msg.verb} ${msg.method} line without its ssh2 tail` };
      if (msg.user.trim() === '' || msg.ip === '') return { reason: 'missing_field', detail: `${msg.verb} ${msg.method} line with empty user or source IP` };
    }
    if (msg.kind === 'invalid_user' && msg.user.trim() === '') return { reason: 'missing_field', detail: 'Invalid user line with empty user' };
  }
  return null;
}

function dropReason(msgs: readonly SshMessage[]): string {
  const kinds = new Set(msgs.map((m) => m.kind));
  if (kinds.size === 1 && msgs[0].kind === 'noise') return msgs[0].what;
  if (kinds.has('session_closed') && msgs.every((m) => m.kind === 'session_closed' || m.kind === 'noise')) return 'session_closed_without_login';
  return 'no_auth_outcome';
}

/**
 * Pairs PAM module lines (own pid) with the Accepted/Failed verdict they decided: the latest unpaired module
 * line of the same user before the verdict, else the first one after it.
 */
function pairModules(items: readonly Item[]): Map<number, Item> {
  const verdicts = items.map((it, i) => ({ it, i })).filter(({ it }) => it.msg.kind === 'auth' && (it.msg.verb === 'Accepted' || it.msg.verb === 'Failed'));
  const modules = items.map((it, i) => ({ it, i })).filter(({ it }) => it.msg.kind === 'mfa');
  const pairs = new Map<number, Item>();
  const used = new Set<number>();
  const userOf = (it: Item): string => ('user' in it.msg ? it.msg.user : '');
  for (const v of verdicts) {
    const before = modules.filter((m) => m.i < v.i && !used.has(m.i) && userOf(m.it) === userOf(v.it));
    const pick = before[before.length - 1];
    if (pick) { pairs.set(v.i, pick.it); used.add(pick.i); }
  }
  for (const v of verdicts) {
    if (pairs.has(v.i)) continue;
    const pick = modules.find((m) => m.i > v.i && !used.has(m.i) && userOf(m.it) === userOf(v.it));
    if (pick) { pairs.set(v.i, pick.it); used.add(pick.i); }
  }
  for (const m of modules) if (!used.has(m.i)) pairs.set(-1 - m.i, m.it);
  return pairs;
}

function mapLogins(items: readonly Item[], sink: EventSink): void {
  const pairs = pairModules(items);
  let partial: AuthLine | null = null;
  const certLine = items.find((i) => i.msg.kind === 'cert_info')?.msg;
  const logind = items.find((i) => i.msg.kind === 'logind_session')?.msg;
  let hadVerdict = false;
  items.forEach((item, i) => {
    const m = item.msg;
    if (m.kind !== 'auth') return;
    if (m.verb === 'Partial') { partial = m; return; }
    if (m.verb === 'Postponed') return;
    hadVerdict = true;
    const module = pairs.get(i);
    const first: AuthLine = partial ?? m;
    const key = parseKeyInfo(first.method === 'publickey' ? first.key_info : m.key_info);
    const cert = key.cert ?? (certLine && certLine.kind === 'cert_info' && first.method === 'publickey' ? certLine : undefined);
    const success = m.verb === 'Accepted';
    const actorRaw = cert && cert.key_id !== '' ? cert.key_id : m.user;
    const details: Record<string, string> = {
      pid: item.line.pid, program: item.line.program, login_user: m.user, src_port: m.port,
      auth_methods: partial ? `${first.method},${m.method}` : m.method,
    };
    if (key.key_type) details.key_type = key.key_type;
    if (key.key_fingerprint) details.key_fingerprint = key.key_fingerprint;
    if (cert) Object.assign(details, { cert_key_id: cert.key_id, cert_serial: cert.serial, cert_ca: cert.ca_fingerprint, cert_ca_key_type: cert.ca_key_type });
    const mod = module && module.msg.kind === 'mfa' ? module.msg : null;
    if (mod) details.mfa_module = mod.module;
    if (success && logind && logind.kind === 'logind_session') details.logind_session = logind.session;
    const mfa = mfaOf(m, partial === m ? null : partial, mod, cert !== undefined);
    sink.add(item, success ? 'login_success' : 'login_failure', {
      event_type: `sshd.${m.verb.toLowerCase()}`, event_time: item.iso, action: 'login',
      user_raw: actorRaw, user: canonicalUser(actorRaw), user_type: userTypeOf(m.user, actorRaw, m.invalid),
      resource: item.line.host, resource_type: 'server',
      privileged: m.user === 'root' || isPrivilegedResource(item.line.host, sink.ctx.policy),
      auth_method: authMethodOf(first.method, cert !== undefined), ...mfa,
      outcome: success ? 'success' : 'failure', reason: success ? '' : failureReason(m, mod),
      session_id: `${item.line.host}:${item.line.pid}`, src_ip: m.ip, details,
    });
    if (success) partial = null;
  });
  if (!hadVerdict) mapAttemptWithoutVerdict(items, sink);
  for (const [idx, module] of pairs) if (idx < 0) mapModuleOnly(module, sink);
}

/** Connections that never reached Accepted/Failed: one failure/denial from the most telling line. */
function mapAttemptWithoutVerdict(items: readonly Item[], sink: EventSink): void {
  const order = ['root_refused', 'not_allowed', 'max_auth', 'invalid_user', 'pam_auth_failure', 'preauth_end'] as const;
  for (const kind of order) {
    const item = items.find((i) => i.msg.kind === kind && (kind === 'root_refused' || ('user' in i.msg && i.msg.user !== '')));
    if (!item) continue;
    const m = item.msg;
    const user = m.kind === 'root_refused' ? 'root' : 'user' in m ? m.user : '';
    const invalid = m.kind === 'invalid_user' || ('invalid' in m && m.invalid === true);
    const denied = m.kind === 'root_refused' || m.kind === 'not_allowed';
    const reason = { root_refused: 'root_login_refused', not_allowed: 'not_allowed', max_auth: 'max_auth_tries', invalid_user: 'unknown_user', pam_auth_failure: 'bad_password', preauth_end: invalid ? 'unknown_user' : 'preauth_disconnect' }[kind];
    const details: Record<string, string> = { pid: item.line.pid, program: item.line.program, login_user: user };
    if ('port' in m && m.port !== '') details.src_port = m.port;
    if (m.kind === 'not_allowed') details.reason_text = m.why;
    sink.add(item, 'login_failure', {
      event_type: `sshd.${kind}`, event_time: item.iso, action: 'login', user_raw: user,
      user_type: userTypeOf(user, user, invalid), resource: item.line.host, resource_type: 'server',
      privileged: user === 'root' || isPrivilegedResource(item.line.host, sink.ctx.policy),
      mfa_method: 'none', mfa_evidence: 'not_performed',
      outcome: denied ? 'denied' : 'failure', reason, session_id: item.line.pid ? `${item.line.host}:${item.line.pid}` : '',
      src_ip: 'ip' in m ? m.ip : '', details,
    });
    return;
  }
}

/** A PAM module verdict with no sshd verdict beside it: an MFA check on its own. */
function mapModuleOnly(item: Item, sink: EventSink): void {
  const m = item.msg as MfaLine;
  if (m.result === 'unknown') return;
  const mfa = moduleMfa(m, true);
  sink.add(item, `mfa_${m.result}`, {
    event_type: `${m.module}.${m.result}`, event_time: item.iso, action: 'mfa_verify', user_raw: m.user,
    user_type: userTypeOf(m.user, m.user, false), resource: item.line.host, resource_type: 'server', ...mfa,
    outcome: m.result === 'failure' ? 'failure' : 'success', reason: m.result === 'failure' ? 'mfa_failed' : '',
    src_ip: m.ip, details: { pid: item.line.pid, program: item.line.program, mfa_module: m.module },
  });
}
