import type { AuthEvent } from '../../../schema/auth-event.ts';
import { buildEvent, canonicalUser, isPrivilegedResource, type EventFields } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';
import { mapAudit } from './audit-events.ts';
import {
  actorOfIdentity, authMethodOf, isSuperuser, mfaOf, parseAuthFailure, parseAuthenticated, parseAuthorized,
  parseDisconnection, parseHbaDetail, parseReceived, pgUserType,
} from './messages.ts';
import { parsePgLine, splitMessages, type PgLine } from './pg-line.ts';

/** Events of one record; source ids are `<database>:<pid>:<time>:<kind>` (no host in the line). */
export class PgSink {
  readonly events: AuthEvent[] = [];
  private readonly seen = new Set<string>();
  constructor(readonly ctx: NormalizeContext) {}

  /** Adds one event; a repeated id (same ms, same kind) gets `#2`, `#3`. */
  add(line: PgLine, database: string, kind: string, f: EventFields): void {
    const base = `${database}:${line.pid}:${line.iso}:${kind}`;
    let id = base;
    for (let n = 2; this.seen.has(id); n++) id = `${base}#${n}`;
    this.seen.add(id);
    this.events.push(buildEvent('postgres', id, f, this.ctx));
  }
}

/** Maps one assembled PostgreSQL record (a handshake, a message with its DETAIL/continuations) to events. */
export function mapPostgresRecord(raw: string, ctx: NormalizeContext): StepResult<AuthEvent[]> {
  const lines: PgLine[] = [];
  for (const text of splitMessages(raw)) {
    const p = parsePgLine(text);
    if (!p) return reject('unparseable_line', 'not a PostgreSQL log line with a `%m [%p]` prefix');
    if (p.iso === '') return reject('invalid_time', 'timestamp without a UTC zone or offset, or impossible');
    lines.push(p);
  }
  if (lines.length === 0) return drop('empty_record');
  const sink = new PgSink(ctx);
  const problem = mapConnection(lines, sink) ?? mapOthers(lines, sink);
  if (problem) return reject(problem.reason, problem.detail);
  if (sink.events.length > 0) return ok(sink.events);
  return drop(lines.some((l) => parseReceived(l.message)) ? 'connection_without_outcome' : 'not_auth_message');
}

type Problem = { reason: string; detail: string } | null;

function mapConnection(lines: readonly PgLine[], sink: PgSink): Problem {
  const received = firstOf(lines, parseReceived);
  const authn = firstOf(lines, parseAuthenticated);
  const authz = firstOf(lines, parseAuthorized);
  const src = received && received.v.host !== '[local]' ? received.v.host : '';
  if (authz) {
    const f = authz.v;
    if (!f.user || (!f.database && f.replication !== 'true')) {
      return { reason: 'missing_field', detail: 'connection authorized with empty user= or database=' };
    }
    const database = f.database || 'replication';
    const identity = authn?.v.identity ?? f.identity ?? '';
    const method = authn?.v.method ?? '';
    const actorRaw = identity !== '' ? identity : f.user;
    const actor = actorOfIdentity(actorRaw);
    const details: Record<string, string> = { pid: authz.line.pid, db_user: f.user, database, auth_method_raw: method };
    if (identity) details.identity = identity;
    if (authn?.v.hba) details.hba = authn.v.hba;
    if (f.application_name) details.application_name = f.application_name;
    if (f.ssl_protocol) details.ssl_protocol = f.ssl_protocol;
    if (f.replication === 'true') details.replication = 'true';
    if (received) details.src_host = received.v.host;
    if (received?.v.port) details.src_port = received.v.port;
    if (authz.line.session_id) details.pg_session_id = authz.line.session_id;
    sink.add(authz.line, database, 'session_start', {
      event_type: 'postgres.connection_authorized', event_time: authz.line.iso, action: 'session_start',
      user_raw: actorRaw, user: canonicalUser(actor),
      user_type: pgUserType(f.user, actor, method === 'cert', sink.ctx.policy),
      resource: database, resource_type: 'database',
      privileged: isSuperuser(f.user, sink.ctx.policy) || isPrivilegedResource(database, sink.ctx.policy),
      auth_method: authMethodOf(method), ...mfaOf(method), mfa_method_raw: method, outcome: 'success',
      session_id: `postgres:${authz.line.pid}`, src_ip: src, details,
    });
    return null;
  }
  const fatal = lines.find((l) => l.severity === 'FATAL' && parseAuthFailure(l.message));
  if (!fatal) return null;
  const fail = parseAuthFailure(fatal.message);
  if (!fail) return null;
  const user = fail.user || fatal.user;
  const database = fail.database || fatal.database;
  if (user === '') return { reason: 'missing_field', detail: 'authentication failure without a user' };
  const detail = lines.find((l) => l.severity === 'DETAIL' && parseHbaDetail(l.message) !== '');
  const details: Record<string, string> = { pid: fatal.pid, db_user: user, database };
  if (detail) details.hba = parseHbaDetail(detail.message);
  if (fail.method) details.auth_method_raw = fail.method;
  if (received) details.src_host = received.v.host;
  if (received?.v.port) details.src_port = received.v.port;
  const ip = fail.host !== '' && fail.host !== '[local]' ? fail.host : src;
  sink.add(fatal, database, 'login_failure', {
    event_type: fail.outcome === 'denied' ? 'postgres.connection_denied' : 'postgres.authentication_failed',
    event_time: fatal.iso, action: 'login', user_raw: user, user_type: pgUserType(user, user, false, sink.ctx.policy),
    resource: database, resource_type: 'database',
    privileged: isSuperuser(user, sink.ctx.policy) || isPrivilegedResource(database, sink.ctx.policy),
    auth_method: fail.method === '' ? 'unknown' : authMethodOf(fail.method === 'certificate' ? 'cert' : fail.method),
    mfa_method: 'none', mfa_evidence: 'not_performed', mfa_method_raw: fail.method,
    outcome: fail.outcome, reason: fail.reason, session_id: `postgres:${fatal.pid}`, src_ip: ip, details,
  });
  return null;
}

function mapOthers(lines: readonly PgLine[], sink: PgSink): Problem {
  for (const line of lines) {
    if (line.severity !== 'LOG') continue;
    const disc = parseDisconnection(line.message);
    if (disc) {
      if (disc.user === '') return { reason: 'missing_field', detail: 'disconnection with empty user=' };
      const database = disc.database || 'replication';
      const details: Record<string, string> = { pid: line.pid, db_user: disc.user, database, session_duration: disc.duration, src_host: disc.host };
      if (disc.port) details.src_port = disc.port;
      sink.add(line, database, 'session_end', {
        event_type: 'postgres.disconnection', event_time: line.iso, action: 'session_end', user_raw: disc.user,
        user_type: pgUserType(disc.user, disc.user, false, sink.ctx.policy), resource: database, resource_type: 'database',
        privileged: isSuperuser(disc.user, sink.ctx.policy) || isPrivilegedResource(database, sink.ctx.policy),
        outcome: 'success', session_id: `postgres:${line.pid}`, src_ip: disc.host === '[local]' ? '' : disc.host, details,
      });
      continue;
    }
    if (line.message.startsWith('AUDIT: ')) {
      const problem = mapAudit(line, sink);
      if (problem) return problem;
    }
  }
  return null;
}

function firstOf<T>(lines: readonly PgLine[], parse: (msg: string) => T | null): { line: PgLine; v: T } | null {
  for (const line of lines) {
    const v = parse(line.message);
    if (v) return { line, v };
  }
  return null;
}
