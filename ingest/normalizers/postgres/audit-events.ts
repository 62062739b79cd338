import { canonicalUser, isPrivilegedResource } from '../common.ts';
import type { PgSink } from './mapper.ts';
import { isSuperuser, pgUserType } from './messages.ts';
import { parseAudit, roleChange } from './pgaudit.ts';
import type { PgLine } from './pg-line.ts';

/** Statement text kept in details (a migration can be megabytes; the raw record keeps all of it). */
const MAX_STATEMENT = 4000;

/**
 * `AUDIT: SESSION,...` → api_call (privileged for DDL/ROLE classes and superuser sessions); ROLE statements
 * that grant or revoke (GRANT, REVOKE, CREATE/ALTER ROLE with SUPERUSER/CREATEROLE/...) → privilege_change /
 * access_revoked with the grantee as target_user; other role DDL → account_change.
 * The actor is the session's role from the `%u` prefix (the certificate identity is on the session_start).
 */
export function mapAudit(line: PgLine, sink: PgSink): { reason: string; detail: string } | null {
  const rec = parseAudit(line.message.slice('AUDIT: '.length));
  if (!rec) return { reason: 'invalid_audit_record', detail: 'AUDIT line is not a pgaudit CSV record' };
  if (line.user === '') return { reason: 'missing_field', detail: 'AUDIT line without %u@%d in log_line_prefix' };
  const database = line.database;
  const cls = rec.audit_class.toUpperCase();
  const change = cls === 'ROLE' || cls === 'DDL' ? roleChange(rec.command, rec.statement) : null;
  const details: Record<string, string> = {
    pid: line.pid, db_user: line.user, database, audit_type: rec.audit_type, audit_class: cls,
    audit_command: rec.command, statement_id: rec.statement_id, substatement_id: rec.substatement_id,
    statement: rec.statement.slice(0, MAX_STATEMENT),
  };
  if (rec.object_type) details.object_type = rec.object_type;
  if (rec.object_name) details.object_name = rec.object_name;
  if (line.session_id) details.pg_session_id = line.session_id;
  if (change) Object.assign(details, change.details);
  if (change?.details.granted) details.role = change.details.granted;
  const policy = sink.ctx.policy;
  sink.add(line, database || 'unknown', `audit:${rec.statement_id}.${rec.substatement_id}`, {
    event_type: `pgaudit.${cls.toLowerCase()}`, event_time: line.iso, action: change ? change.action : 'api_call',
    user_raw: line.user, user_type: pgUserType(line.user, line.user, false, policy),
    target_user: change ? canonicalUser(change.target) : '',
    resource: database, resource_type: 'database',
    privileged: cls === 'DDL' || cls === 'ROLE' || change !== null || isSuperuser(line.user, policy) || isPrivilegedResource(database, policy),
    outcome: 'success', session_id: `postgres:${line.pid}`, details,
  });
  return null;
}
