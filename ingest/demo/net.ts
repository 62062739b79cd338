/**
 * Where the demo organisation's addresses are (for the geo blocks IdPs attach to sign-ins). Only
 * documentation ranges are used: 203.0.113.0/24 office, 192.0.2.0/24 homes, 198.51.100.0/24 attackers.
 */
import { INFRA } from './org.ts';

/** Geo and network facts about one source address. */
export interface Geo {
  readonly city: string;
  readonly state: string;
  readonly country: string;
  readonly country_code: string;
  readonly postal: string;
  readonly lat: number;
  readonly lon: number;
  readonly asn: number;
  readonly isp: string;
  readonly proxy: boolean;
}

const BERLIN: Geo = { city: 'Berlin', state: 'Land Berlin', country: 'Germany', country_code: 'DE', postal: '10115', lat: 52.52, lon: 13.405, asn: 64496, isp: 'fjordlight-office-isp', proxy: false };
const HAMBURG: Geo = { city: 'Hamburg', state: 'Hamburg', country: 'Germany', country_code: 'DE', postal: '20095', lat: 53.5511, lon: 9.9937, asn: 64497, isp: 'example-home-broadband', proxy: false };
const LEIPZIG: Geo = { city: 'Leipzig', state: 'Sachsen', country: 'Germany', country_code: 'DE', postal: '04109', lat: 51.3397, lon: 12.3731, asn: 64497, isp: 'example-home-broadband', proxy: false };
const BOSTON: Geo = { city: 'Boston', state: 'Massachusetts', country: 'United States', country_code: 'US', postal: '02108', lat: 42.3601, lon: -71.0589, asn: 64498, isp: 'example-cable-us', proxy: false };
const LISBON: Geo = { city: 'Lisbon', state: 'Lisboa', country: 'Portugal', country_code: 'PT', postal: '1100-148', lat: 38.7223, lon: -9.1393, asn: 64499, isp: 'example-fibra-pt', proxy: false };
const HOSTILE: readonly Geo[] = [
  { city: 'Amsterdam', state: 'North Holland', country: 'Netherlands', country_code: 'NL', postal: '1012', lat: 52.3676, lon: 4.9041, asn: 64510, isp: 'example-vps-hosting', proxy: true },
  { city: 'Bucharest', state: 'Bucuresti', country: 'Romania', country_code: 'RO', postal: '010011', lat: 44.4268, lon: 26.1025, asn: 64511, isp: 'example-bulletproof-hosting', proxy: false },
  { city: 'Singapore', state: 'Singapore', country: 'Singapore', country_code: 'SG', postal: '048583', lat: 1.2834, lon: 103.8607, asn: 64512, isp: 'example-cloud-vps', proxy: true },
  { city: 'Frankfurt am Main', state: 'Hessen', country: 'Germany', country_code: 'DE', postal: '60311', lat: 50.1109, lon: 8.6821, asn: 64513, isp: 'example-anonymizer', proxy: true },
];

/** Geo of an address in the demo network plan. */
export function geoOf(ip: string): Geo {
  if (ip === INFRA.office_ip || ip === INFRA.vpn_ip || ip.startsWith('10.')) return BERLIN;
  const hostile = (INFRA.attacker_ips as readonly string[]).indexOf(ip);
  if (hostile >= 0) return HOSTILE[hostile % HOSTILE.length] ?? BERLIN;
  if (ip.startsWith('198.51.100.')) return HOSTILE[0] ?? BERLIN;
  const last = Number(ip.split('.')[3] ?? '0');
  if (last >= 130 && last < 160) return BOSTON;
  if (last >= 160 && last < 190) return LISBON;
  return last % 3 === 0 ? HAMBURG : last % 3 === 1 ? LEIPZIG : BERLIN;
}

/** True for a public address the organisation does not own (home, travel, attacker). */
export function isOffice(ip: string): boolean {
  return ip === INFRA.office_ip || ip === INFRA.vpn_ip;
}

/** An ephemeral client port. */
export function ephemeralPort(n: number): number {
  return 49152 + (n % 16000);
}
