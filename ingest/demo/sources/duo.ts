/**
 * Cisco Duo Admin API v2 authentication log records (`response.authlogs[]` items, formats/duo.md) for the
 * VPN (RADIUS), the bastion (Duo Unix) and Windows logon (RDP) integrations.
 */
import type { Person } from '../org.ts';
import { geoOf } from '../net.ts';
import type { Rng } from '../prng.ts';
import { isoMicroOffset } from '../time-format.ts';
import type { World } from '../world.ts';

/** Duo-protected applications of the demo org. */
export const DUO_APPS = {
  vpn: { key: 'DIFJVPN7RADIUS2K4Q8M', name: 'Corp VPN (RADIUS)' },
  bastion: { key: 'DIFJBST1UNIX9W3E5R7T', name: 'Bastion SSH (Duo Unix)' },
  rdp: { key: 'DIFJRDP4WINLOGON6Y8U', name: 'Windows Logon (RDP)' },
} as const;

type DuoApp = (typeof DUO_APPS)[keyof typeof DUO_APPS];

const GROUPS: Record<Person['team'], string[]> = {
  sre: ['SRE', 'Prod Admins'], dba: ['DBA', 'Prod Admins'], security: ['Security'], dev: ['Engineering'],
  contractor: ['Contractors'], business: ['Staff'], breakglass: ['Emergency Access'],
};

/** The Duo factor string of a person's usual method. */
export function duoFactorOf(p: Person): string {
  switch (p.factor) {
    case 'security_key': return 'WebAuthn Security Key';
    case 'platform':
    case 'fastpass': return 'WebAuthn Chrome Touch ID';
    case 'push': return 'duo_push';
    case 'push_number_match': return 'verified_duo_push';
    case 'totp': return 'duo_mobile_passcode';
    case 'sms': return 'sms_passcode';
    default: return 'not_available';
  }
}

/** One authentication record. */
export interface DuoAuth {
  readonly app: DuoApp;
  readonly ip: string;
  readonly factor?: string;
  readonly result?: 'success' | 'denied' | 'fraud';
  readonly reason?: string;
  readonly hostname?: string | null;
  /** Username as logged: Duo Unix on the bastion sends the local login, the others the email. */
  readonly username?: string;
}

function authDevice(p: Person, factor: string): Record<string, unknown> {
  if (factor === 'not_available' || factor === 'remembered_device' || factor === 'trusted_network' || factor === 'bypass_code') {
    return { ip: null, key: null, location: { city: null, country: null, state: null }, name: null };
  }
  if (factor.startsWith('WebAuthn')) {
    return { ip: null, key: `WA${p.duo_key.slice(2, 20)}`, location: { city: null, country: null, state: null }, name: factor.includes('Touch') ? 'Touch ID' : 'YubiKey 5 NFC' };
  }
  const g = geoOf(p.home_ip);
  return { ip: p.home_ip, key: `DP${p.duo_key.slice(2, 20)}`, location: { city: g.city, country: g.country, state: g.state }, name: p.duo_phone };
}

/** A Duo user that is not a person of the roster (service accounts, unknown usernames). */
export interface DuoOther { readonly name: string; readonly duo_key: string; readonly groups?: string[] }

/** Emits one Duo authentication log record. */
export function duoAuth(w: World, rng: Rng, p: Person | DuoOther, t: number, a: DuoAuth): void {
  const person = 'team' in p ? p : null;
  const factor = a.factor ?? (person ? duoFactorOf(person) : 'not_available');
  const result = a.result ?? 'success';
  const reason = a.reason ?? (result === 'success' ? (factor === 'duo_mobile_passcode' || factor === 'sms_passcode' ? 'valid_passcode' : 'user_approved') : 'no_response');
  const g = geoOf(a.ip);
  const sub = rng.int(0, 999) * 1000 + rng.int(0, 999);
  w.emit('duo', t, {
    access_device: {
      browser: null, browser_version: null, epkey: null, flash_version: null, hostname: a.hostname ?? null, ip: a.ip,
      is_encryption_enabled: 'unknown', is_firewall_enabled: 'unknown', is_password_set: 'unknown', java_version: null,
      location: { city: g.city, country: g.country, state: g.state }, os: null, os_version: null, security_agents: null,
    },
    adaptive_trust_assessments: {},
    alias: '',
    application: { key: a.app.key, name: a.app.name },
    auth_device: person ? authDevice(person, factor) : { ip: null, key: null, location: { city: null, country: null, state: null }, name: null },
    email: person ? person.email : '',
    event_type: 'authentication',
    factor,
    isotimestamp: isoMicroOffset(t, sub),
    ood_software: null,
    reason,
    result,
    timestamp: Math.floor(t / 1000),
    trusted_endpoint_status: 'not trusted',
    txid: rng.uuid(),
    user: 'team' in p
      ? { groups: GROUPS[p.team], key: p.duo_key, name: a.username ?? p.email }
      : { groups: p.groups ?? [], key: p.duo_key, name: p.name },
  });
}
