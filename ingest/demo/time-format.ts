/**
 * Timestamp spellings of the upstream systems (all UTC). Times are epoch milliseconds; sources that log
 * finer precision get extra sub-millisecond digits from the caller (`sub`, 0–999999 nanoseconds below the ms).
 */

const MONTHS = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];
const MS_PER_DAY = 86_400_000;

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

/** `2025-03-11T09:00:05.118Z` (Okta, Google, Teleport). */
export function isoMs(t: number): string {
  return new Date(t).toISOString();
}

/** `2025-03-11T09:00:05Z` (CloudTrail, Entra sign-ins). */
export function isoSec(t: number): string {
  return `${new Date(t).toISOString().slice(0, 19)}Z`;
}

/** `2025-03-11T09:00:05` + `.` + `digits` fraction digits (ms followed by `sub` padded to 6), no zone. */
function isoFraction(t: number, sub: number, digits: number): string {
  const base = new Date(t).toISOString().slice(0, 23); // ...ss.mmm
  const frac = `${base.slice(20, 23)}${pad(sub, 6)}`.slice(0, digits);
  return `${base.slice(0, 19)}.${frac}`;
}

/** `2025-03-11T08:58:05.118204+00:00` (Duo, rsyslog high-precision file format). */
export function isoMicroOffset(t: number, sub: number): string {
  return `${isoFraction(t, sub, 6)}+00:00`;
}

/** `2025-03-11T09:05:03.081200Z` (Kubernetes audit, GCP). */
export function isoMicroZ(t: number, sub: number): string {
  return `${isoFraction(t, sub, 6)}Z`;
}

/** `2025-03-11T09:03:47.402118000Z` (Boundary, Teleport session_start/stop). */
export function isoNanoZ(t: number, sub: number): string {
  return `${isoFraction(t, sub, 9)}Z`;
}

/** `2025-03-11T10:03:58.1122334Z` (Azure Activity Log). */
export function iso7Z(t: number, sub: number): string {
  return `${isoFraction(t, sub, 7)}Z`;
}

/** `2025-03-11T10:02:11.4821993+00:00` (Entra directory audits). */
export function iso7Offset(t: number, sub: number): string {
  return `${isoFraction(t, sub, 7)}+00:00`;
}

/** `Mar 11 10:05:12` / `Mar  1 10:05:12` (RFC 3164 syslog: no year, no zone, space-padded day). */
export function rfc3164(t: number): string {
  const d = new Date(t);
  const day = String(d.getUTCDate()).padStart(2, ' ');
  return `${MONTHS[d.getUTCMonth()]} ${day} ${d.toISOString().slice(11, 19)}`;
}

/** `2025-03-11 09:12:30.412 UTC` (PostgreSQL `%m`). */
export function pgStamp(t: number): string {
  const iso = new Date(t).toISOString();
  return `${iso.slice(0, 10)} ${iso.slice(11, 23)} UTC`;
}

function clock12(d: Date): string {
  const h = d.getUTCHours();
  const h12 = h % 12 === 0 ? 12 : h % 12;
  return `${h12}:${pad(d.getUTCMinutes(), 2)}:${pad(d.getUTCSeconds(), 2)} ${h < 12 ? 'AM' : 'PM'}`;
}

/** `Mar 11, 2025, 10:02:03 AM` (CloudTrail STS credential expiration). */
export function awsExpiration(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()}, ${clock12(d)}`;
}

/** `Mar 11, 2025 10:20:01 AM` (CloudTrail IAM `createDate`). */
export function awsCreateDate(t: number): string {
  const d = new Date(t);
  return `${MONTHS[d.getUTCMonth()]} ${d.getUTCDate()}, ${d.getUTCFullYear()} ${clock12(d)}`;
}

/** Start of the UTC day holding t. */
export function startOfUtcDay(t: number): number {
  return Math.floor(t / MS_PER_DAY) * MS_PER_DAY;
}

/** Milliseconds per unit, for readable offsets. */
export const MS = { second: 1000, minute: 60_000, hour: 3_600_000, day: MS_PER_DAY } as const;
