import type { AuthEvent, AuthMethod, MfaEvidence, MfaMethod, Outcome, UserType } from '../../../schema/auth-event.ts';
import { buildEvent, isObject, isRealMfa, PHISHING_RESISTANT_METHODS, str } from '../common.ts';
import type { NormalizeContext } from '../normalizer.ts';
import { drop, ok, reject, type StepResult } from '../step-result.ts';
import {
  authMethodOf, authMethodOfClientCredential, AZURE_MANAGEMENT_RESOURCE_ID, INTERRUPT_CODES, isPreviouslySatisfied,
  mapEntraMethod, MFA_FAILURE_CODES, outcomeOfCode, PHISHING_RESISTANT_STRENGTH_ID, strongest,
} from './methods.ts';
import { entraTime, parseCode, pick, pickStr } from './record.ts';

/** One `authenticationDetails[]` row, reduced to what the mapping needs. */
interface Step {
  raw: string;
  method: MfaMethod;
  succeeded: boolean | undefined;
  requirement: string;
  result_detail: string;
  method_detail: string;
}

/** MFA facts derived from the steps of one sign-in. */
interface MfaFacts {
  method: MfaMethod;
  raw: string;
  evidence: MfaEvidence;
  device: string;
  failed_mfa_step: Step | undefined;
}

function stepsOf(body: Record<string, unknown>): Step[] {
  const rows = pick(body, 'authenticationDetails');
  if (!Array.isArray(rows)) return [];
  const out: Step[] = [];
  for (const r of rows) {
    if (!isObject(r)) continue;
    const raw = str(r.authenticationMethod).trim();
    if (raw === '') continue;
    out.push({
      raw,
      method: mapEntraMethod(raw),
      succeeded: typeof r.succeeded === 'boolean' ? r.succeeded : undefined,
      requirement: str(r.authenticationStepRequirement),
      result_detail: str(r.authenticationStepResultDetail),
      method_detail: str(r.authenticationMethodDetail),
    });
  }
  return out;
}

/**
 * Reads the factor from the steps. Only succeeded steps prove a factor (rows with no `succeeded`
 * flag count as succeeded when the whole sign-in succeeded). FIDO2, Windows Hello, passkeys and
 * certificates are single-step: their one `Primary authentication` row is the MFA.
 */
function mfaFacts(steps: readonly Step[], outcome: Outcome, requirement: string): MfaFacts {
  const passed = steps.filter((s) => s.succeeded === true || (s.succeeded === undefined && outcome === 'success'));
  const failedMfa = steps.find((s) => s.succeeded === false && s.method !== 'none');
  const real = strongest(passed.filter((s) => isRealMfa(s.method)));
  if (real) return { method: real.method, raw: real.raw, evidence: 'performed', device: real.method_detail, failed_mfa_step: failedMfa };
  const tap = passed.find((s) => s.method === 'bypass');
  if (tap) return { method: 'bypass', raw: tap.raw, evidence: 'not_performed', device: '', failed_mfa_step: failedMfa };
  const prev = passed.find((s) => isPreviouslySatisfied(s.raw));
  if (prev) return { method: 'unknown', raw: prev.raw, evidence: 'previously_satisfied', device: '', failed_mfa_step: failedMfa };
  if (failedMfa) return { method: failedMfa.method, raw: failedMfa.raw, evidence: 'not_performed', device: failedMfa.method_detail, failed_mfa_step: failedMfa };
  const other = passed.find((s) => s.method === 'unknown');
  if (other) return { method: 'unknown', raw: other.raw, evidence: 'unknown', device: '', failed_mfa_step: undefined };
  const onlyPassword = steps.length > 0 && steps.every((s) => s.method === 'none');
  if (onlyPassword || requirement === 'singlefactorauthentication') {
    return { method: 'none', raw: steps[0]?.raw ?? '', evidence: 'not_performed', device: '', failed_mfa_step: undefined };
  }
  return { method: 'unknown', raw: '', evidence: 'unknown', device: '', failed_mfa_step: undefined };
}

function signInTypes(body: Record<string, unknown>, category: string): string[] {
  const v = pick(body, 'signInEventTypes');
  const types = Array.isArray(v) ? v.map((t) => str(t)).filter((t) => t !== '') : [];
  if (types.length > 0) return types;
  if (/^serviceprincipal/i.test(category)) return ['servicePrincipal'];
  if (/^managedidentity/i.test(category)) return ['managedIdentity'];
  if (/^noninteractive/i.test(category)) return ['nonInteractiveUser'];
  return [];
}

/** Policies the sign-in satisfied or failed, for `details` and the phishing-resistance override. */
function caFacts(body: Record<string, unknown>): { failed: string[]; strength: string; pr_strength: boolean } {
  const pols = pick(body, 'appliedConditionalAccessPolicies');
  const failed: string[] = [];
  let strength = '';
  let prStrength = false;
  if (Array.isArray(pols)) {
    for (const p of pols) {
      if (!isObject(p)) continue;
      const result = str(p.result).toLowerCase();
      if (result === 'failure') failed.push(str(p.displayName));
      const s = p.authenticationStrength;
      if (result === 'success' && isObject(s)) {
        strength ||= str(s.displayName);
        if (str(s.authenticationStrengthId) === PHISHING_RESISTANT_STRENGTH_ID) prStrength = true;
      }
    }
  }
  return { failed, strength, pr_strength: prStrength };
}

function statusOf(body: Record<string, unknown>, env: Record<string, unknown> | undefined): { code: number | undefined; text: string } {
  const status = pick(body, 'status');
  if (isObject(status)) {
    const code = parseCode(status.errorCode);
    if (code !== undefined) return { code, text: str(status.failureReason) || str(status.additionalDetails) };
  }
  if (!env) return { code: undefined, text: '' };
  const rt = pick(env, 'resultType');
  const code = parseCode(rt);
  if (code !== undefined) return { code, text: pickStr(env, 'resultDescription') };
  // Some exports write `Success` / `Failure` instead of the code.
  const word = str(rt).toLowerCase();
  if (word === 'success') return { code: 0, text: '' };
  if (word === 'failure') return { code: -1, text: pickStr(env, 'resultDescription') };
  return { code: undefined, text: '' };
}

function detailsOf(body: Record<string, unknown>, env: Record<string, unknown> | undefined, extra: Record<string, string>): Record<string, string> {
  const device = pick(body, 'deviceDetail');
  const location = pick(body, 'location');
  const all: Record<string, string> = {
    app: pickStr(body, 'appDisplayName'),
    app_id: pickStr(body, 'appId'),
    resource_id: pickStr(body, 'resourceId'),
    correlation_id: pickStr(body, 'correlationId') || (env ? pickStr(env, 'correlationId') : ''),
    user_id: pickStr(body, 'userId'),
    tenant_id: (env ? pickStr(env, 'tenantId') : '') || pickStr(body, 'resourceTenantId'),
    category: env ? pickStr(env, 'category') : '',
    auth_requirement: pickStr(body, 'authenticationRequirement'),
    ca_status: pickStr(body, 'conditionalAccessStatus'),
    incoming_token_type: pickStr(body, 'incomingTokenType'),
    client_credential_type: pickStr(body, 'clientCredentialType'),
    authentication_protocol: pickStr(body, 'authenticationProtocol'),
    service_principal_id: pickStr(body, 'servicePrincipalId'),
    interactive: typeof pick(body, 'isInteractive') === 'boolean' ? String(pick(body, 'isInteractive')) : '',
    device_id: isObject(device) ? str(device.deviceId) : '',
    device_compliant: isObject(device) && typeof device.isCompliant === 'boolean' ? String(device.isCompliant) : '',
    country: isObject(location) ? str(location.countryOrRegion) : '',
  };
  Object.assign(all, extra);
  // Copying the non-empty entries (instead of deleting the empty ones) keeps the map a fast-mode object.
  const d: Record<string, string> = {};
  for (const k in all) if (all[k] !== '') d[k] = all[k] as string;
  return d;
}

/** Who signed in: the UPN for people, the service principal name for workload identities. */
function identityOf(body: Record<string, unknown>, types: readonly string[]): { raw: string; type: UserType } {
  const isService = types.some((t) => /^(servicePrincipal|managedIdentity)$/i.test(t));
  const upn = pickStr(body, 'userPrincipalName');
  const spName = pickStr(body, 'servicePrincipalName') || (isService ? pickStr(body, 'appDisplayName') : '');
  const raw = isService ? (spName || upn) : (upn || spName);
  return { raw, type: isService || (upn === '' && spName !== '') ? 'service' : 'human' };
}

/** Event time: the sign-in's `createdDateTime` (stable across split records), else the envelope `time`. */
function timeOf(body: Record<string, unknown>, env: Record<string, unknown> | undefined): StepResult<string> {
  const created = pick(body, 'createdDateTime');
  const raw = created !== undefined && created !== null ? created : env ? pick(env, 'time') : undefined;
  if (raw === undefined || raw === null || raw === '') return reject('missing_field', 'createdDateTime');
  const t = entraTime(raw);
  return t ? ok(t) : reject('invalid_time', `createdDateTime: ${str(raw).slice(0, 64)}`);
}

const SERVICE_FACTS: MfaFacts = { method: 'none', raw: '', evidence: 'not_performed', device: '', failed_mfa_step: undefined };

/** Normalizes one sign-in (Graph `signIn`, or the `properties` of a `*SignInLogs` record). */
export function normalizeSignIn(
  body: Record<string, unknown>, env: Record<string, unknown> | undefined, ctx: NormalizeContext,
): StepResult<AuthEvent[]> {
  const time = timeOf(body, env);
  if (time.kind !== 'ok') return time.kind === 'reject' ? reject(time.reason, time.detail) : drop(time.reason);
  const { code, text } = statusOf(body, env);
  if (code === undefined) return reject('missing_field', 'status.errorCode');
  if (INTERRUPT_CODES.has(code)) return drop(`interrupt_${code}`);
  const outcome: Outcome = code === -1 ? 'failure' : outcomeOfCode(code);
  const types = signInTypes(body, env ? pickStr(env, 'category') : '');
  const who = identityOf(body, types);
  if (who.raw === '') return reject('missing_field', 'userPrincipalName');

  const steps = stepsOf(body);
  const service = who.type === 'service';
  // Workload identities have no MFA; their credential is the client credential type.
  const facts = service ? SERVICE_FACTS : mfaFacts(steps, outcome, pickStr(body, 'authenticationRequirement').toLowerCase());
  const primary = steps.find((s) => /primary/i.test(s.requirement)) ?? steps[0];
  const authMethod: AuthMethod = service
    ? authMethodOfClientCredential(pickStr(body, 'clientCredentialType'))
    : primary ? authMethodOf(primary.raw) : 'unknown';
  const mfaStepFailed = outcome !== 'success' && (MFA_FAILURE_CODES.has(code) || facts.failed_mfa_step !== undefined);
  const mfaVerified = outcome === 'success' && facts.evidence === 'performed' && isRealMfa(facts.method);
  const ca = caFacts(body);
  const why = facts.failed_mfa_step?.result_detail || text;
  const codeText = code === -1 ? 'failure' : String(code);
  const resourceId = pickStr(body, 'resourceId');
  const extra: Record<string, string> = {
    error_code: code === -1 ? '' : String(code),
    sign_in_type: types.join(','),
    ca_policies_failed: ca.failed.join(','),
    auth_strength: ca.strength,
    mfa_device: facts.device,
  };
  return ok([buildEvent('entra', pickStr(body, 'id') || ctx.raw_sha256, {
    event_type: service ? 'servicePrincipalSignIn' : 'signIn',
    event_time: time.value,
    action: mfaStepFailed ? 'mfa_verify' : 'login',
    user_raw: who.raw,
    user_type: who.type,
    resource: pickStr(body, 'resourceDisplayName') || pickStr(body, 'appDisplayName') || resourceId,
    resource_type: resourceId.toLowerCase() === AZURE_MANAGEMENT_RESOURCE_ID ? 'cloud_console' : 'idp_app',
    auth_method: authMethod,
    mfa_method: facts.method,
    mfa_method_raw: facts.raw,
    mfa_verified: mfaVerified,
    mfa_evidence: facts.evidence,
    phishing_resistant: mfaVerified && (PHISHING_RESISTANT_METHODS.has(facts.method) || ca.pr_strength),
    outcome,
    reason: outcome === 'success' ? '' : why ? `${codeText}: ${why}` : codeText,
    session_id: pickStr(body, 'sessionId'),
    src_ip: pickStr(body, 'ipAddress') || (env ? pickStr(env, 'callerIpAddress') : ''),
    user_agent: pickStr(body, 'userAgent'),
    details: detailsOf(body, env, extra),
  }, ctx)]);
}
