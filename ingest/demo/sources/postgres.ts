/**
 * PostgreSQL 16 server log of `prod-db-1` (stderr, Debian prefix `%m [%p] %q%u@%d `) with
 * `log_connections`, `log_disconnections` and pgaudit (`role, ddl, write`, plus `read` on payments).
 * Formats/postgresql.md: two spaces after the severity, `[unknown]@[unknown]` before authentication.
 */
import type { Rng } from '../prng.ts';
import { pgStamp } from '../time-format.ts';
import type { World } from '../world.ts';

const HBA = '/etc/postgresql/16/main/pg_hba.conf';
const SSL = 'SSL enabled (protocol=TLSv1.3, cipher=TLS_AES_256_GCM_SHA384, bits=256)';

function line(w: World, t: number, pid: number, who: string, severity: string, msg: string): void {
  w.emit('postgres', t, `${pgStamp(t)} [${pid}] ${who} ${severity}:  ${msg}`);
}

/** pgaudit CSV field quoting: quote when the value has a comma, quote or newline; double inner quotes. */
function csv(v: string): string {
  return /[",\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v;
}

/** One audited statement. */
export interface PgStatement {
  readonly t: number;
  readonly cls: 'READ' | 'WRITE' | 'ROLE' | 'DDL' | 'MISC';
  readonly command: string;
  readonly objectType?: string;
  readonly objectName?: string;
  readonly sql: string;
}

/** How the client authenticated (pg_hba method and line). */
export interface PgAuth {
  readonly method: 'cert' | 'scram-sha-256' | 'peer';
  readonly identity: string;
  readonly hbaLine: number;
}

/** A whole backend: connection received/authenticated/authorized, audited statements, disconnection. */
export function pgSession(
  w: World, rng: Rng,
  s: { t: number; end: number; pid: number; host: string; port?: number; user: string; db: string; app: string; auth: PgAuth; statements: readonly PgStatement[] },
): void {
  const local = s.host === '[local]';
  const port = s.port ?? rng.int(32768, 60999);
  line(w, s.t, s.pid, '[unknown]@[unknown]', 'LOG', local ? 'connection received: host=[local]' : `connection received: host=${s.host} port=${port}`);
  const ta = s.t + rng.int(2, 40);
  line(w, ta, s.pid, '[unknown]@[unknown]', 'LOG', `connection authenticated: identity="${s.auth.identity}" method=${s.auth.method} (${HBA}:${s.auth.hbaLine})`);
  line(w, ta + rng.int(1, 3), s.pid, `${s.user}@${s.db}`, 'LOG', `connection authorized: user=${s.user} database=${s.db} application_name=${s.app}${local ? '' : ` ${SSL}`}`);
  s.statements.forEach((st, i) => {
    line(w, st.t, s.pid, `${s.user}@${s.db}`, 'LOG', `AUDIT: SESSION,${i + 1},1,${st.cls},${st.command},${st.objectType ?? ''},${st.objectName ?? ''},${csv(st.sql)},<not logged>`);
  });
  const dur = Math.max(0, s.end - s.t);
  const h = Math.floor(dur / 3_600_000);
  const m = Math.floor((dur % 3_600_000) / 60_000);
  const sec = ((dur % 60_000) / 1000).toFixed(3).padStart(6, '0');
  line(w, s.end, s.pid, `${s.user}@${s.db}`, 'LOG', `disconnection: session time: ${h}:${String(m).padStart(2, '0')}:${sec} user=${s.user} database=${s.db} host=${s.host}${local ? '' : ` port=${port}`}`);
}

/** A wrong password: FATAL plus its DETAIL line (an assembler joins them). */
export function pgPasswordFailed(w: World, rng: Rng, t: number, pid: number, host: string, user: string, db: string): void {
  line(w, t, pid, '[unknown]@[unknown]', 'LOG', `connection received: host=${host} port=${rng.int(32768, 60999)}`);
  const tf = t + rng.int(15, 40);
  line(w, tf, pid, `${user}@${db}`, 'FATAL', `password authentication failed for user "${user}"`);
  line(w, tf, pid, `${user}@${db}`, 'DETAIL', `Connection matched file "${HBA}" line 104: "host    all    all    10.40.0.0/16    scram-sha-256"`);
}

/** A connection from outside the allowed networks. */
export function pgNoHbaEntry(w: World, rng: Rng, t: number, pid: number, host: string, user: string, db: string): void {
  line(w, t, pid, '[unknown]@[unknown]', 'LOG', `connection received: host=${host} port=${rng.int(32768, 60999)}`);
  line(w, t + rng.int(1, 4), pid, `${user}@${db}`, 'FATAL', `no pg_hba.conf entry for host "${host}", user "${user}", database "${db}", no encryption`);
}
