import type { AssembledRecord, LineAssembler } from '../normalizer.ts';
import { classifyLine, isSshdProgram, pamModuleOf, type ClassifiedLine } from './messages.ts';
import { lineClock, parseSyslogLine } from './syslog-line.ts';

/** Bounds of the sshd assembler; exported so tests and the syslog receiver can tune them. */
export interface SshdAssemblerOptions {
  /** Open connections kept at most; beyond it the least recently active one is emitted. */
  readonly max_pending: number;
  /** Lines kept per connection before it is emitted anyway. */
  readonly max_group_lines: number;
  /** Pre-auth connection idle window (sshd LoginGraceTime is 120 s). */
  readonly preauth_wait_ms: number;
  /** How long an Accepted login waits for its pam_unix session line, and a closing session for its last line. */
  readonly session_wait_ms: number;
  /** PAM module lines (own pid) wait this long for the sshd verdict line of the same host and user. */
  readonly module_wait_ms: number;
}

/** Defaults: generous enough for a busy bastion, small enough to bound memory. */
export const SSHD_ASSEMBLER_DEFAULTS: SshdAssemblerOptions = {
  max_pending: 1024, max_group_lines: 200, preauth_wait_ms: 130_000, session_wait_ms: 5_000, module_wait_ms: 10_000,
};

type Phase = 'preauth' | 'accepted' | 'postauth' | 'complete' | 'module';

interface Group {
  readonly key: string;
  readonly host: string;
  readonly seq: number;
  readonly lines: string[];
  readonly refs: string[];
  user: string;
  phase: Phase;
  /** Trailer this complete group may still absorb: logind `New session` or sudo's pam session line. */
  trailer: 'logind' | 'sudo' | '';
  clock: { family: 'absolute' | 'yearless'; ms: number } | null;
}

/** A rollover guard: a group whose last line is this far "in the future" belongs to last year (Dec → Jan). */
const HALF_YEAR_MS = 183 * 24 * 3600 * 1000;

/**
 * Groups auth-log lines into one record per sshd connection (host + pid): pre-auth attempts, the login
 * (Partial + keyboard-interactive + PAM module lines + pam_unix session opened + logind session), and the
 * session's closing lines. Records are emitted once the connection's outcome is final; `flush()` emits
 * everything pending. PAM module lines carry their own pid and are joined by host + user.
 */
export function createSshdAssembler(options: Partial<SshdAssemblerOptions> = {}): LineAssembler {
  const opt: SshdAssemblerOptions = { ...SSHD_ASSEMBLER_DEFAULTS, ...options };
  const pending = new Map<string, Group>();
  const modules = new Map<string, Group>();
  let completes: Group[] = [];
  const clocks = { absolute: -Infinity, yearless: -Infinity };
  const scanned = { absolute: -Infinity, yearless: -Infinity };
  let seq = 0;

  const newGroup = (key: string, host: string, phase: Phase): Group =>
    ({ key, host, seq: seq++, lines: [], refs: [], user: '', phase, trailer: '', clock: null });
  const single = (line: string, ref: string): AssembledRecord => ({ raw: line, input_ref: ref });

  function add(g: Group, line: string, ref: string, clock: Group['clock']): void {
    g.lines.push(line);
    g.refs.push(ref);
    if (clock) g.clock = clock;
  }

  function expire(out: AssembledRecord[], family: 'absolute' | 'yearless'): void {
    const now = clocks[family];
    // Logs are not always in order (merged files): scan on any jump of a second or more, either way.
    if (Math.abs(now - scanned[family]) < 1000) return;
    scanned[family] = now;
    const stale = (g: Group, wait: number): boolean =>
      g.clock !== null && g.clock.family === family && (now - g.clock.ms > wait || now - g.clock.ms < -HALF_YEAR_MS);
    for (const g of [...pending.values()]) {
      if (stale(g, g.phase === 'preauth' ? opt.preauth_wait_ms : opt.session_wait_ms)) emitPending(out, g);
    }
    for (const g of [...modules.values()]) if (stale(g, opt.module_wait_ms)) emitModule(out, g);
  }

  function emitPending(out: AssembledRecord[], g: Group): void {
    pending.delete(g.key);
    out.push(toRecord(g));
  }

  function emitModule(out: AssembledRecord[], g: Group): void {
    modules.delete(g.key);
    out.push(toRecord(g));
  }

  function touch(g: Group): void {
    // Re-insert so Map order is least-recently-active first (capacity eviction takes the head).
    pending.delete(g.key);
    pending.set(g.key, g);
  }

  function bound(out: AssembledRecord[]): void {
    while (pending.size > opt.max_pending) emitPending(out, pending.values().next().value as Group);
    while (modules.size > opt.max_pending) emitModule(out, modules.values().next().value as Group);
  }

  function isTrailer(g: Group, c: ClassifiedLine): boolean {
    if (c.line.host !== g.host) return false;
    if (g.trailer === 'logind') return c.msg.kind === 'logind_session' && c.msg.user === g.user;
    if (g.trailer === 'sudo') return c.line.program === 'sudo' && c.msg.kind === 'session_opened' && c.msg.by === g.user;
    return false;
  }

  function complete(g: Group, trailer: Group['trailer']): void {
    pending.delete(g.key);
    g.phase = 'complete';
    g.trailer = trailer;
    completes.push(g);
  }

  function pushSshd(out: AssembledRecord[], c: ClassifiedLine, line: string, ref: string, clock: Group['clock']): void {
    const key = `${c.line.host}\u0000${c.line.pid}`;
    let g = pending.get(key);
    const m = c.msg;
    if (g && g.phase === 'accepted' && !(m.kind === 'session_opened' || m.kind === 'mfa' || m.kind === 'cert_info')) {
      emitPending(out, g);
      g = undefined;
    }
    if (!g) {
      const post = m.kind === 'disconnect' || m.kind === 'session_closed';
      g = newGroup(key, c.line.host, post ? 'postauth' : 'preauth');
    }
    const user = 'user' in m ? m.user : '';
    if (user !== '' && (m.kind === 'auth' || m.kind === 'invalid_user')) {
      const orphan = modules.get(`${c.line.host}\u0000${user}`);
      if (orphan) {
        modules.delete(orphan.key);
        g.lines.push(...orphan.lines);
        g.refs.push(...orphan.refs);
      }
    }
    if (g.user === '' && user !== '') g.user = user;
    add(g, line, ref, clock);
    touch(g);
    if (m.kind === 'auth' && m.verb === 'Accepted') g.phase = 'accepted';
    if (m.kind === 'session_opened' && g.phase !== 'postauth') {
      complete(g, 'logind');
      return;
    }
    const terminal = m.kind === 'preauth_end' || m.kind === 'session_closed' || (m.kind === 'noise' && m.what === 'no_connection');
    if (terminal || g.lines.length >= opt.max_group_lines) emitPending(out, g);
  }

  function pushModule(out: AssembledRecord[], c: ClassifiedLine, line: string, ref: string, clock: Group['clock']): void {
    const m = c.msg;
    if (m.kind !== 'mfa' || m.user === '') {
      out.push(single(line, ref));
      return;
    }
    let target: Group | undefined;
    for (const g of pending.values()) {
      if (g.host === c.line.host && g.user === m.user && (g.phase === 'preauth' || g.phase === 'accepted')) target = g;
    }
    if (target) {
      add(target, line, ref, clock);
      touch(target);
      return;
    }
    const key = `${c.line.host}\u0000${m.user}`;
    const orphan = modules.get(key) ?? newGroup(key, c.line.host, 'module');
    orphan.user = m.user;
    add(orphan, line, ref, clock);
    modules.set(key, orphan);
  }

  function push(line: string, ref: string): AssembledRecord[] {
    const out: AssembledRecord[] = [];
    const parsed = parseSyslogLine(line);
    if (!parsed) {
      for (const g of completes) out.push(toRecord(g));
      completes = [];
      out.push(single(line, ref));
      return out;
    }
    const c = classifyLine(parsed);
    const clock = lineClock(parsed);
    if (clock) {
      clocks[clock.family] = clock.ms;
      expire(out, clock.family);
    }
    const owner = completes.find((g) => isTrailer(g, c));
    for (const g of completes) if (g !== owner) out.push(toRecord(g));
    completes = [];
    if (owner) {
      add(owner, line, ref, clock);
      out.push(toRecord(owner));
      return out;
    }
    const program = parsed.program;
    if (isSshdProgram(program) && parsed.pid !== '') {
      pushSshd(out, c, line, ref, clock);
    } else if (pamModuleOf(program) !== '') {
      pushModule(out, c, line, ref, clock);
    } else if (program === 'sudo' && c.msg.kind === 'sudo') {
      const g = newGroup(`${parsed.host}\u0000sudo\u0000${seq}`, parsed.host, 'complete');
      g.user = c.msg.user;
      g.trailer = 'sudo';
      add(g, line, ref, clock);
      completes.push(g);
    } else {
      out.push(single(line, ref));
    }
    bound(out);
    return out;
  }

  function flush(): AssembledRecord[] {
    const all = [...completes, ...pending.values(), ...modules.values()].sort((a, b) => a.seq - b.seq);
    completes = [];
    pending.clear();
    modules.clear();
    return all.map(toRecord);
  }

  return { push, flush };
}

function toRecord(g: Group): AssembledRecord {
  return { raw: g.lines.join('\n'), input_ref: joinRefs(g.refs) };
}

/** `file:3`, `file:4` → `file:3,4`: one provenance string naming every line of the record. */
export function joinRefs(refs: readonly string[]): string {
  if (refs.length <= 1) return refs[0] ?? '';
  const m = /^(.*):(\d+)$/.exec(refs[0]);
  if (m && refs.every((r) => r.startsWith(`${m[1]}:`) && /^\d+$/.test(r.slice(m[1].length + 1)))) {
    return `${m[1]}:${refs.map((r) => r.slice(m[1].length + 1)).join(',')}`;
  }
  return refs.join(',');
}
