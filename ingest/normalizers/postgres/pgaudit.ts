import type { Action } from '../../../schema/auth-event.ts';

/** One pgaudit record: `AUDIT: <type>,<stmt id>,<substmt id>,<class>,<command>,<obj type>,<obj name>,<statement>,<parameter>`. */
export interface AuditRecord {
  readonly audit_type: string;
  readonly statement_id: string;
  readonly substatement_id: string;
  readonly audit_class: string;
  readonly command: string;
  readonly object_type: string;
  readonly object_name: string;
  readonly statement: string;
  readonly parameter: string;
}

/** Splits one CSV row (`"` quoting, `""` escapes; quoted fields may hold commas and newlines). */
export function parseCsvRow(text: string): string[] | null {
  const out: string[] = [];
  let i = 0;
  for (;;) {
    let field = '';
    if (text[i] === '"') {
      i++;
      for (;;) {
        if (i >= text.length) return null;
        if (text[i] === '"') {
          if (text[i + 1] === '"') { field += '"'; i += 2; continue; }
          i++;
          break;
        }
        field += text[i++];
      }
      if (i < text.length && text[i] !== ',') return null;
    } else {
      const end = text.indexOf(',', i);
      field = end < 0 ? text.slice(i) : text.slice(i, end);
      i = end < 0 ? text.length : end;
    }
    out.push(field);
    if (i >= text.length) return out;
    i++;
  }
}

/** Parses the text after `AUDIT: `; null when it is not a pgaudit record. */
export function parseAudit(body: string): AuditRecord | null {
  const f = parseCsvRow(body);
  if (!f || f.length < 8 || !/^(SESSION|OBJECT)$/.test(f[0])) return null;
  return {
    audit_type: f[0], statement_id: f[1], substatement_id: f[2], audit_class: f[3], command: f[4],
    object_type: f[5], object_name: f[6], statement: f[7], parameter: f.slice(8).join(','),
  };
}

/** What a ROLE-class statement does to whom. */
export interface RoleChange {
  readonly action: Action;
  readonly target: string;
  readonly details: Record<string, string>;
}

const PRIV_ATTRS = /\b(NO)?(SUPERUSER|CREATEROLE|CREATEDB|REPLICATION|BYPASSRLS)\b/gi;
const IDENT = String.raw`("(?:[^"]|"")+"|[^\s;,]+)`;

/** `"bob@example.com"` → `bob@example.com`; bare identifiers fold to lower case as PostgreSQL does. */
export function unquoteIdent(id: string): string {
  const t = id.trim();
  if (t.startsWith('"') && t.endsWith('"') && t.length >= 2) return t.slice(1, -1).replace(/""/g, '"');
  return t.toLowerCase();
}

function splitIdents(list: string): string[] {
  return (list.match(/"(?:[^"]|"")+"|[^,\s]+/g) ?? []).map(unquoteIdent).filter((s) => s !== '');
}

/**
 * GRANT → privilege_change (target = first grantee), REVOKE → access_revoked, CREATE/ALTER ROLE with
 * SUPERUSER/CREATEROLE/CREATEDB/REPLICATION/BYPASSRLS → privilege_change (NO... only → access_revoked),
 * other CREATE/ALTER/DROP ROLE → account_change. Null for statements that change no role.
 */
export function roleChange(command: string, statement: string): RoleChange | null {
  const stmt = statement.trim().replace(/;\s*$/, '');
  const cmd = command.toUpperCase();
  if (cmd === 'GRANT') {
    const m = /^GRANT\s+([\s\S]+?)\s+TO\s+([\s\S]+?)(?:\s+WITH\s+\w+\s+(?:OPTION|TRUE|FALSE)\b[\s\S]*|\s+GRANTED\s+BY\b[\s\S]*)?$/i.exec(stmt);
    if (!m) return null;
    const grantees = splitIdents(m[2]);
    return { action: 'privilege_change', target: grantees[0] ?? '', details: { granted: m[1].trim(), grantees: grantees.join(',') } };
  }
  if (cmd === 'REVOKE') {
    const m = /^REVOKE\s+([\s\S]+?)\s+FROM\s+([\s\S]+?)(?:\s+GRANTED\s+BY\b[\s\S]*|\s+(?:CASCADE|RESTRICT))?$/i.exec(stmt);
    if (!m) return null;
    const grantees = splitIdents(m[2]);
    return { action: 'access_revoked', target: grantees[0] ?? '', details: { revoked: m[1].trim(), grantees: grantees.join(',') } };
  }
  const role = new RegExp(String.raw`^(CREATE|ALTER|DROP)\s+(?:ROLE|USER|GROUP)\s+(?:IF\s+EXISTS\s+)?${IDENT}([\s\S]*)$`, 'i').exec(stmt);
  if (!role) return null;
  const verb = role[1].toUpperCase();
  const target = unquoteIdent(role[2]);
  if (verb === 'DROP') return { action: 'account_change', target, details: { role_change: 'drop' } };
  const granted: string[] = [];
  const removed: string[] = [];
  for (const a of role[3].matchAll(PRIV_ATTRS)) (a[1] ? removed : granted).push(a[2].toUpperCase());
  const details: Record<string, string> = { role_change: verb.toLowerCase() };
  if (granted.length > 0) details.role_attributes = granted.join(',');
  if (removed.length > 0) details.role_attributes_removed = removed.join(',');
  const action: Action = granted.length > 0 ? 'privilege_change' : removed.length > 0 ? 'access_revoked' : 'account_change';
  return { action, target, details };
}
