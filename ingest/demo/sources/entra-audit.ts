/**
 * Microsoft Entra ID directory audits as Graph `directoryAudit` resources: role and group membership
 * changes, account disablement and security-info registration (formats/entra-id.md "Directory audits").
 */
import { INFRA, type Person } from '../org.ts';
import { ALPHABET, type Rng } from '../prng.ts';
import { iso7Offset } from '../time-format.ts';
import type { World } from '../world.ts';

/** Directory roles used by the stories (built-in template ids). */
export const ENTRA_ROLES = {
  global_admin: { name: 'Global Administrator', template: '62e90394-69f5-4237-9190-012177145e10', wellKnown: 'TenantAdmins', objectId: '8a41c2d0-5e3b-4f6a-9b2c-1d0e9f8a7b60' },
  privileged_role_admin: { name: 'Privileged Role Administrator', template: 'e8611ab8-c189-46e8-94e1-60213ab1f814', wellKnown: '', objectId: '3c52d1e0-6f4a-4b7b-8c3d-2e1f0a9b8c71' },
  user_admin: { name: 'User Administrator', template: 'fe930be7-5e62-47db-91af-98c3a49a38b1', wellKnown: '', objectId: '4d63e2f1-7a5b-4c8c-9d4e-3f2a1b0c9d82' },
} as const;

/** Entra groups used by the stories. */
export const ENTRA_GROUPS = {
  sre: { name: 'sre-prod-admins', id: '1c9fd2fc-c97a-4b27-b26a-1a0b43c35e61' },
  contractors: { name: 'ext-contractors', id: '2dafe30d-da8b-4c38-c37b-2b1c54d46f72' },
  sales: { name: 'sales-engineering', id: '3eb0f41e-eb9c-4d49-d48c-3c2d65e57083' },
} as const;

type Change = { displayName: string; oldValue: string | null; newValue: string | null };

function quoted(v: string): string {
  return JSON.stringify(v);
}

function emitAudit(
  w: World, rng: Rng, t: number, admin: Person,
  a: { activity: string; category: string; service: string; operation: string; reason?: string; targets: unknown[] },
): void {
  const correlationId = rng.uuid();
  w.emit('entra', t, {
    id: `Directory_${correlationId}_${rng.chars(5, ALPHABET.upperDigits)}_${rng.int(100_000_000, 999_999_999)}`,
    category: a.category, correlationId, result: 'success', resultReason: a.reason ?? '', activityDisplayName: a.activity,
    activityDateTime: iso7Offset(t, rng.int(0, 9999) * 100), loggedByService: a.service, operationType: a.operation,
    initiatedBy: { app: null, user: { id: admin.entra_id, displayName: null, userPrincipalName: admin.email, ipAddress: INFRA.office_ip, userType: null, homeTenantId: null, homeTenantName: null } },
    targetResources: a.targets,
    additionalDetails: [],
  });
}

function userTarget(p: Person, changes: Change[], withName = false): Record<string, unknown> {
  return { id: p.entra_id, displayName: withName ? p.display : null, type: 'User', userPrincipalName: p.email, groupType: null, modifiedProperties: changes };
}

/** `Add member to role` / `Remove member from role`. */
export function entraRoleChange(w: World, rng: Rng, t: number, admin: Person, target: Person, role: keyof typeof ENTRA_ROLES, add: boolean): void {
  const r = ENTRA_ROLES[role];
  const v = (s: string): Change => (add ? { displayName: '', oldValue: null, newValue: quoted(s) } : { displayName: '', oldValue: quoted(s), newValue: null });
  const changes: Change[] = [
    { ...v(r.objectId), displayName: 'Role.ObjectID' },
    { ...v(r.name), displayName: 'Role.DisplayName' },
    { ...v(r.template), displayName: 'Role.TemplateId' },
    { ...v(r.wellKnown), displayName: 'Role.WellKnownObjectName' },
  ];
  emitAudit(w, rng, t, admin, {
    activity: add ? 'Add member to role' : 'Remove member from role', category: 'RoleManagement', service: 'Core Directory', operation: add ? 'Assign' : 'Unassign',
    targets: [userTarget(target, changes), { id: r.objectId, displayName: null, type: 'Role', userPrincipalName: null, groupType: null, modifiedProperties: [] }],
  });
}

/** `Add member to group` / `Remove member from group`. */
export function entraGroupChange(w: World, rng: Rng, t: number, admin: Person, target: Person, group: keyof typeof ENTRA_GROUPS, add: boolean): void {
  const g = ENTRA_GROUPS[group];
  const v = (s: string): Pick<Change, 'oldValue' | 'newValue'> => (add ? { oldValue: null, newValue: quoted(s) } : { oldValue: quoted(s), newValue: null });
  emitAudit(w, rng, t, admin, {
    activity: add ? 'Add member to group' : 'Remove member from group', category: 'GroupManagement', service: 'Core Directory', operation: add ? 'Assign' : 'Unassign',
    targets: [
      userTarget(target, [{ displayName: 'Group.ObjectID', ...v(g.id) }, { displayName: 'Group.DisplayName', ...v(g.name) }]),
      { id: g.id, displayName: g.name, type: 'Group', userPrincipalName: null, groupType: 'unifiedGroups', modifiedProperties: [] },
    ],
  });
}

/** `Disable account` (offboarding). */
export function entraDisableAccount(w: World, rng: Rng, t: number, admin: Person, target: Person): void {
  emitAudit(w, rng, t, admin, {
    activity: 'Disable account', category: 'UserManagement', service: 'Core Directory', operation: 'Update',
    targets: [userTarget(target, [
      { displayName: 'AccountEnabled', oldValue: '[true]', newValue: '[false]' },
      { displayName: 'Included Updated Properties', oldValue: null, newValue: quoted('AccountEnabled') },
    ], true)],
  });
}

/** `User registered security info` (self-service MFA enrollment). */
export function entraSecurityInfo(w: World, rng: Rng, t: number, p: Person, what: string): void {
  emitAudit(w, rng, t, p, {
    activity: 'User registered security info', category: 'UserManagement', service: 'Authentication Methods', operation: 'Add',
    reason: `User registered ${what}`, targets: [userTarget(p, [], true)],
  });
}
