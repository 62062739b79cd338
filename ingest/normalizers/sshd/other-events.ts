import { isPrivilegedResource } from '../common.ts';
import type { EventSink, Item } from './mapper.ts';
import type { SudoLine } from './messages.ts';
import { userTypeOf } from './login-fields.ts';

/** Session lines and sudo lines of a record (logins are mapped by `mapLogins`). */
export function mapOtherEvents(items: readonly Item[], sink: EventSink): void {
  mapSessionEnd(items, sink);
  mapOrphanSessionStart(items, sink);
  for (const item of items) if (item.msg.kind === 'sudo') mapSudo(item, item.msg, items, sink);
  mapSudoSessionOnly(items, sink);
}

const isSshdSession = (service: string): boolean => /^sshd/.test(service);

/** `pam_unix(sshd:session): session closed` (or `Disconnected from user U` / `Close session: user U`) → session_end. */
function mapSessionEnd(items: readonly Item[], sink: EventSink): void {
  const closed = items.find((i) => i.msg.kind === 'session_closed' && isSshdSession(i.msg.service));
  const disc = items.find((i) => i.msg.kind === 'disconnect' && i.msg.user !== '');
  const anchor = closed ?? disc;
  if (!anchor) return;
  const user = 'user' in anchor.msg ? anchor.msg.user : '';
  if (user === '') return;
  const ipLine = items.find((i) => i.msg.kind === 'disconnect' && i.msg.ip !== '');
  const ip = ipLine && ipLine.msg.kind === 'disconnect' ? ipLine.msg.ip : '';
  const details: Record<string, string> = { pid: anchor.line.pid, program: anchor.line.program, login_user: user };
  if (ipLine && ipLine.msg.kind === 'disconnect' && ipLine.msg.port !== '') details.src_port = ipLine.msg.port;
  sink.add(anchor, 'session_end', {
    event_type: closed ? 'sshd.session_closed' : 'sshd.disconnected', event_time: anchor.iso, action: 'session_end',
    user_raw: user, user_type: userTypeOf(user, user, false), resource: anchor.line.host, resource_type: 'server',
    privileged: user === 'root' || isPrivilegedResource(anchor.line.host, sink.ctx.policy),
    outcome: 'success', session_id: `${anchor.line.host}:${anchor.line.pid}`, src_ip: ip, details,
  });
}

/** A pam_unix sshd session opened whose Accepted line is not in the record (lost, or emitted earlier). */
function mapOrphanSessionStart(items: readonly Item[], sink: EventSink): void {
  if (items.some((i) => i.msg.kind === 'auth' && i.msg.verb === 'Accepted')) return;
  const opened = items.find((i) => i.msg.kind === 'session_opened' && isSshdSession(i.msg.service));
  if (!opened || opened.msg.kind !== 'session_opened' || opened.msg.user === '') return;
  const user = opened.msg.user;
  const logind = items.find((i) => i.msg.kind === 'logind_session')?.msg;
  const details: Record<string, string> = { pid: opened.line.pid, program: opened.line.program, login_user: user };
  if (logind && logind.kind === 'logind_session') details.logind_session = logind.session;
  sink.add(opened, 'session_start', {
    event_type: 'sshd.session_opened', event_time: opened.iso, action: 'session_start', user_raw: user,
    user_type: userTypeOf(user, user, false), resource: opened.line.host, resource_type: 'server',
    privileged: user === 'root' || isPrivilegedResource(opened.line.host, sink.ctx.policy),
    outcome: 'success', session_id: `${opened.line.host}:${opened.line.pid}`, details,
  });
}

/**
 * sudo is the use of an existing grant inside a host session, not a change of anyone's privileges, so it
 * maps to `api_call` (privileged when it runs as root), never `privilege_change` (kept for grants).
 * Denials by policy (`user NOT in sudoers`, `command not allowed`) are `denied`; bad passwords are `failure`.
 */
function mapSudo(item: Item, m: SudoLine, items: readonly Item[], sink: EventSink): void {
  const runAs = m.fields.USER ?? '';
  const problem = m.problem.toLowerCase();
  const denied = /not in sudoers|not allowed|command not allowed/.test(problem);
  const outcome = problem === '' ? 'success' : denied ? 'denied' : 'failure';
  const details: Record<string, string> = { run_as: runAs, command: m.fields.COMMAND ?? '', tty: m.fields.TTY ?? '', pwd: m.fields.PWD ?? '' };
  if (item.line.pid) details.pid = item.line.pid;
  if (m.problem) details.sudo_problem = m.problem;
  const session = items.find((i) => i.msg.kind === 'session_opened' && i.msg.by === m.user && /^sudo/.test(i.msg.service));
  if (session) details.sudo_session = 'opened';
  sink.add(item, 'sudo', {
    event_type: outcome === 'success' ? 'sudo.command' : 'sudo.refused', event_time: item.iso, action: 'api_call',
    user_raw: m.user, user_type: userTypeOf(m.user, m.user, false), resource: item.line.host, resource_type: 'server',
    privileged: runAs === 'root' || isPrivilegedResource(item.line.host, sink.ctx.policy),
    outcome, reason: outcome === 'success' ? '' : reasonOf(problem), details,
  });
}

function reasonOf(problem: string): string {
  if (problem.includes('not in sudoers')) return 'not_in_sudoers';
  if (problem.includes('incorrect password')) return 'incorrect_password';
  if (problem.includes('not allowed')) return 'command_not_allowed';
  if (problem.includes('password is required')) return 'password_required';
  return problem.replace(/[^a-z0-9]+/g, '_').replace(/^_|_$/g, '').slice(0, 60) || 'sudo_failed';
}

/** `sudo: pam_unix(sudo:session): session opened for user root by U` with no command line beside it. */
function mapSudoSessionOnly(items: readonly Item[], sink: EventSink): void {
  if (items.some((i) => i.msg.kind === 'sudo')) return;
  for (const item of items) {
    const m = item.msg;
    if (m.kind !== 'session_opened' || !/^sudo/.test(m.service) || m.by === '') continue;
    const details: Record<string, string> = { run_as: m.user, pam_service: m.service };
    if (item.line.pid) details.pid = item.line.pid;
    sink.add(item, 'sudo_session', {
      event_type: 'sudo.session_opened', event_time: item.iso, action: 'api_call', user_raw: m.by,
      user_type: userTypeOf(m.by, m.by, false), resource: item.line.host, resource_type: 'server',
      privileged: m.user === 'root' || isPrivilegedResource(item.line.host, sink.ctx.policy),
      outcome: 'success', details,
    });
  }
}
