import { getPath, isObject, str } from '../common.ts';

/** Built-in role definition ids (the same in every tenant) → names. */
const BUILT_IN_ROLES: Readonly<Record<string, string>> = {
  '8e3af657-a8ff-443c-a75c-2fe8c4bcb635': 'Owner',
  'b24988ac-6180-42a0-ab88-20f7382dd24c': 'Contributor',
  '18d7d88d-d35e-4fb5-a5c3-7773c20a72d9': 'User Access Administrator',
  'acdd72a7-3385-48ef-bd42-f606fba81ae7': 'Reader',
};

/** Roles that control the subscription or who may access it. */
export const PRIVILEGED_AZURE_ROLES: ReadonlySet<string> = new Set(['Owner', 'Contributor', 'User Access Administrator']);

/** Dashed lower-case GUID from either `8e3af657-a8ff-…` or the dash-less `8e3af657a8ff…` spelling. */
function normalizeGuid(value: string): string {
  const hex = value.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (hex.length !== 32) return value.toLowerCase();
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Role name of a roleDefinitionId (full path or bare GUID), or '' when it is not a known built-in role. */
export function roleName(roleDefinitionId: string): string {
  const guid = roleDefinitionId.split('/').pop() ?? '';
  return BUILT_IN_ROLES[normalizeGuid(guid)] ?? '';
}

/** The role assignment a write/delete names: who receives which role at which scope. */
export interface AssignmentFacts {
  readonly principal_id: string;
  readonly principal_type: string;
  readonly role_definition_id: string;
  readonly scope: string;
}

/** Case-insensitive property lookup (`PrincipalId` in requests, `principalId` in responses). */
function prop(obj: unknown, name: string): string {
  if (!isObject(obj)) return '';
  const key = Object.keys(obj).find((k) => k.toLowerCase() === name.toLowerCase());
  return key ? str(obj[key]) : '';
}

/** Regex fallback for truncated bodies (the platform caps requestbody/responseBody). */
function fromText(text: string, name: string): string {
  const m = new RegExp(`"${name}"\\s*:\\s*"([^"]*)"`, 'i').exec(text);
  return m ? m[1] : '';
}

function fromBody(text: string): AssignmentFacts | null {
  if (text.trim() === '') return null;
  let body: unknown;
  try {
    body = JSON.parse(text);
  } catch {
    body = undefined;
  }
  const props = isObject(body) ? (getPath(body, ['Properties']) ?? getPath(body, ['properties'])) : undefined;
  const get = (n: string): string => prop(props, n) || fromText(text, n);
  const facts = { principal_id: get('principalId'), principal_type: get('principalType'), role_definition_id: get('roleDefinitionId'), scope: get('scope') };
  return facts.principal_id || facts.role_definition_id ? facts : null;
}

/** Reads the assignment from properties.requestbody / responseBody (JSON encoded as strings). */
export function assignmentOf(properties: Record<string, unknown>): AssignmentFacts | null {
  const bodies = ['responseBody', 'requestbody', 'requestBody'].map((k) => str(properties[k]));
  for (const b of bodies) {
    const facts = fromBody(b);
    if (facts) return facts;
  }
  return null;
}
