/**
 * Identity-provider flows shared by the daily routines: the morning Okta sign-in (with the occasional
 * typo), Microsoft 365 through Entra, Google Workspace, Duo-protected VPN/RDP, and app SSO hops.
 */
import { INFRA, type Person } from '../org.ts';
import type { Rng } from '../prng.ts';
import { duoAuth, DUO_APPS, duoFactorOf } from '../sources/duo.ts';
import { ENTRA_APPS, entraSignIn } from '../sources/entra-signin.ts';
import { googlePasswordLogin, googleSamlLogin } from '../sources/google.ts';
import { OKTA_APPS, oktaBadPassword, oktaSignIn, oktaSso, type OktaApp } from '../sources/okta.ts';
import { MS } from '../time-format.ts';
import { secs, type World } from '../world.ts';

/** A person's working context for one day. */
export interface Day {
  readonly w: World;
  readonly rng: Rng;
  readonly p: Person;
  readonly day: number;
  /** Where the person works from today. */
  readonly ip: string;
  /** Okta session of the day ('' before sign-in). */
  okta: string;
  /** Time cursor (ms). */
  t: number;
  /** Teleport certificate valid until (0 = no login yet today). */
  certUntil: number;
}

/** Starts a day: decides office or home and the first activity time. */
export function startDay(w: World, rng: Rng, p: Person, day: number, lateStart = 0): Day {
  const remote = p.flags.us_remote || p.team === 'contractor' || rng.chance(p.team === 'business' ? 0.25 : 0.4);
  const ip = remote ? p.home_ip : INFRA.office_ip;
  const start = w.dayStart(day) + Math.max(0, rng.normal(p.start_hour + 0.6 + lateStart, 0.45)) * MS.hour;
  return { w, rng, p, day, ip, okta: '', t: start, certUntil: 0 };
}

/** Advances the cursor by minutes (with seconds jitter). */
export function pause(d: Day, minMinutes: number, maxMinutes: number): void {
  d.t += Math.floor((minMinutes + d.rng.next() * (maxMinutes - minMinutes)) * MS.minute);
}

/** Morning Okta sign-in; sometimes a mistyped password or OTP first. */
export function oktaMorning(d: Day): void {
  const { w, rng, p } = d;
  if (rng.chance(0.05)) {
    oktaBadPassword(w, rng, p, d.t, d.ip);
    d.t += secs(rng, 8, 30);
  }
  const r = oktaSignIn(w, rng, p, d.t, { ip: d.ip, factorRetry: rng.chance(0.1) });
  d.okta = r.sessionId;
  d.t = r.t + secs(rng, 2, 20);
}

/** SSO into an Okta app from today's session. */
export function sso(d: Day, app: OktaApp): void {
  if (!d.okta) oktaMorning(d);
  oktaSso(d.w, d.rng, d.p, d.t, app, d.okta, d.ip);
  d.t += secs(d.rng, 0.5, 3);
}

/** Microsoft 365 through Entra: one interactive sign-in, then token refreshes during the day. */
export function microsoft365(d: Day, refreshes: number): void {
  const { w, rng, p } = d;
  if (rng.chance(0.03)) {
    entraSignIn(w, rng, p, d.t, { app: ENTRA_APPS.office, ip: d.ip, outcome: 'bad_password' });
    d.t += secs(rng, 10, 40);
  }
  const session = entraSignIn(w, rng, p, d.t, { app: ENTRA_APPS.office, ip: d.ip });
  let t = d.t;
  for (let i = 0; i < refreshes; i++) {
    t += rng.int(50, 150) * MS.minute;
    entraSignIn(w, rng, p, t, { app: rng.chance(0.5) ? ENTRA_APPS.teams : ENTRA_APPS.office, ip: d.ip, refresh: true, sessionId: session });
  }
  d.t += secs(rng, 20, 90);
}

/** Google Workspace: SAML through Okta for most, Google password + 2SV for the flagged. */
export function googleWorkspace(d: Day): void {
  const { w, rng, p } = d;
  if (p.flags.google_password || p.team === 'breakglass') {
    if (rng.chance(0.03)) {
      googlePasswordLogin(w, rng, p, d.t, { ip: d.ip, outcome: 'bad_password' });
      d.t += secs(rng, 10, 30);
    }
    d.t = googlePasswordLogin(w, rng, p, d.t, { ip: d.ip }) + secs(rng, 5, 30);
    return;
  }
  sso(d, OKTA_APPS.google);
  googleSamlLogin(w, rng, p, d.t + secs(rng, 1, 3), d.ip);
  d.t += secs(rng, 5, 30);
}

/** Corporate VPN from outside the office (Duo RADIUS): the usual factor, remembered device or a missed push. */
export function vpn(d: Day): void {
  const { w, rng, p } = d;
  if (d.ip === INFRA.office_ip) return;
  const factor = duoFactorOf(p);
  if ((factor === 'duo_push' || factor === 'verified_duo_push') && rng.chance(0.04)) {
    duoAuth(w, rng, p, d.t, { app: DUO_APPS.vpn, ip: d.ip, result: 'denied', reason: 'no_response' });
    d.t += secs(rng, 60, 120);
  }
  if (factor === 'not_available') {
    duoAuth(w, rng, p, d.t, { app: DUO_APPS.vpn, ip: d.ip, factor, reason: 'bypass_user' });
  } else if (rng.chance(0.2)) {
    duoAuth(w, rng, p, d.t, { app: DUO_APPS.vpn, ip: d.ip, factor: 'remembered_device', reason: 'remembered_device' });
  } else {
    duoAuth(w, rng, p, d.t, { app: DUO_APPS.vpn, ip: d.ip });
  }
  d.t += secs(rng, 10, 40);
}

/** Windows logon over RDP (Duo): business staff on the finance terminal server. */
export function rdp(d: Day): void {
  const { w, rng, p } = d;
  const factor = duoFactorOf(p);
  if (factor === 'not_available') duoAuth(w, rng, p, d.t, { app: DUO_APPS.rdp, ip: d.ip, factor, reason: 'bypass_user', hostname: 'FJL-TS-01' });
  else if (d.ip === INFRA.office_ip && rng.chance(0.5)) duoAuth(w, rng, p, d.t, { app: DUO_APPS.rdp, ip: d.ip, factor: 'trusted_network', reason: 'trusted_network', hostname: 'FJL-TS-01' });
  else duoAuth(w, rng, p, d.t, { app: DUO_APPS.rdp, ip: d.ip, hostname: 'FJL-TS-01' });
  d.t += secs(rng, 30, 90);
}
