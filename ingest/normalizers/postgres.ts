/**
 * PostgreSQL server log (stderr / log file, `log_connections`, `log_disconnections`, pgaudit) → AuthEvents.
 * See /shared/formats/postgresql.md.
 *
 * Prefixes read: `%m [%p] %q%u@%d ` (Debian default), `%m [%p] ` (upstream default; no user → connection
 * lines still map, AUDIT lines are rejected), `%m [%p] %q%u@%d %c %r `, `user=%u,db=%d` styles and the RDS
 * `%t:%r:%u@%d:[%p]:` prefix. Only UTC / numeric-offset stamps are accepted (`log_timezone = 'UTC'`).
 *
 * Records come from `createAssembler()`: the received/authenticated/authorized (or FATAL + DETAIL) lines of
 * one pid, or one message with its tab-indented continuation and DETAIL/HINT lines. Events:
 * - `session_start` per `connection authorized` (actor = CN of the certificate identity, else the identity,
 *   else the role); auth_method cert → certificate, scram-sha-256/md5/password/ldap/radius/pam → password,
 *   gss/sspi → sso, peer/ident/trust → unknown; the raw method is in details.auth_method_raw and mfa_method_raw;
 * - `login` failure/denied per authentication FATAL (pg_hba no entry / reject / NOLOGIN → denied);
 * - `session_end` per `disconnection`;
 * - pgaudit: `api_call`, or privilege_change / access_revoked / account_change for ROLE statements.
 * privileged: role in ctx.policy.db_superusers, pgaudit DDL/ROLE class, or a privileged resource pattern.
 * resource = the database name: the line names no server; map servers in the config (environment_rules /
 * privileged_resources patterns match database names).
 * source_event_id = `<database>:<pid>:<time>:<kind>` (kind: session_start, login_failure, session_end,
 * `audit:<statement id>.<substatement id>`).
 *
 * details keys (new ones marked *): pid, db_user, database*, identity*, auth_method_raw*, hba* (pg_hba file:line),
 * application_name*, ssl_protocol*, replication*, src_host* (`[local]` for the socket), src_port*,
 * pg_session_id* (`%c`), session_duration*, audit_type*, audit_class*, audit_command*, statement_id*,
 * substatement_id*, statement*, object_type*, object_name*, granted*, revoked*, grantees*, role,
 * role_change*, role_attributes*, role_attributes_removed*.
 */
import type { Normalizer } from './normalizer.ts';
import { reject } from './step-result.ts';
import { createPostgresAssembler } from './postgres/assembler.ts';
import { mapPostgresRecord } from './postgres/mapper.ts';

const PARTITION_USER = /(?:\buser=|\] )([^\s@,[\]]+)(?:@| |,|$)/;

/** The PostgreSQL normalizer: text lines grouped per message / connection handshake by its assembler. */
export const postgresNormalizer: Normalizer = {
  source: 'postgres',
  format: 'text',
  createAssembler: () => createPostgresAssembler(),
  partitionKey(record: unknown): string {
    if (typeof record !== 'string') return '';
    const authorized = /connection authorized: user=(\S+)/.exec(record);
    return authorized?.[1] ?? PARTITION_USER.exec(record)?.[1] ?? '';
  },
  normalize(record, ctx) {
    if (typeof record !== 'string') return reject('unsupported_shape', 'postgres records are text');
    return mapPostgresRecord(record, ctx);
  },
};
