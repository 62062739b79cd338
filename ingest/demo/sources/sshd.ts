/**
 * OpenSSH auth-log lines (formats/openssh.md) as a central syslog receives them: rsyslog high-precision
 * file format for the modern hosts, RFC 3164 for the legacy build host; `sshd-session` on OpenSSH ≥ 9.8
 * (app hosts), `sshd` elsewhere. Each call emits the lines of one connection in order.
 */
import { HOSTS } from '../org.ts';
import { ephemeralPort } from '../net.ts';
import type { Rng } from '../prng.ts';
import { isoMicroOffset, rfc3164 } from '../time-format.ts';
import type { World } from '../world.ts';

const LEGACY = new Set(['legacy-build-1']);
const SESSION_BINARY = new Set(['app-1', 'app-2', 'app-3', 'staging-app-1']);
/** logind numbers sessions per host in time order; stories are generated out of order, so derive it from t. */
function logindSession(w: World, host: string, t: number): number {
  return 100 + host.length * 13 + Math.floor((t - w.start) / 120_000);
}

/** Emits one syslog line from `host`. */
export function sshLine(w: World, rng: Rng, t: number, host: string, tag: string, msg: string): void {
  const stamp = LEGACY.has(host) ? rfc3164(t) : isoMicroOffset(t, rng.int(0, 999) * 1000 + rng.int(0, 999));
  w.emit('sshd', t, `${stamp} ${host} ${tag}: ${msg}`);
}

/** One sshd connection: program tag and pid, client address. */
export interface SshConn {
  readonly host: string;
  readonly tag: string;
  readonly ip: string;
  readonly port: number;
}

/** Opens a connection context (the per-connection program/pid). */
export function sshConn(rng: Rng, host: string, ip: string): SshConn {
  const prog = SESSION_BINARY.has(host) ? 'sshd-session' : 'sshd';
  return { host, tag: `${prog}[${rng.int(1200, 64000)}]`, ip, port: ephemeralPort(rng.int(0, 15999)) };
}

/** How the user authenticated. */
export type SshAuth =
  | { readonly kind: 'cert'; readonly keyId: string; readonly fp: string; readonly caFp: string; readonly serial: number }
  | { readonly kind: 'key'; readonly keyType: string; readonly fp: string }
  | { readonly kind: 'password' }
  | { readonly kind: 'totp'; readonly failFirst: boolean };

/** A successful login with session open/close lines; `end` is when the client disconnects. */
export function sshLogin(w: World, rng: Rng, c: SshConn, login: string, uid: number, auth: SshAuth, t0: number, end: number): void {
  let t = t0;
  const from = `from ${c.ip} port ${c.port} ssh2`;
  const legacy = LEGACY.has(c.host);
  if (!legacy) sshLine(w, rng, t - rng.int(300, 900), c.host, c.tag, `Connection from ${c.ip} port ${c.port} on ${HOSTS[c.host]?.addr ?? '10.40.0.1'} port 22 rdomain ""`);
  switch (auth.kind) {
    case 'cert':
      sshLine(w, rng, t, c.host, c.tag, `Accepted publickey for ${login} ${from}: ED25519-CERT ${auth.fp} ID ${auth.keyId} (serial ${auth.serial}) CA ED25519 ${auth.caFp}`);
      break;
    case 'key':
      sshLine(w, rng, t, c.host, c.tag, `Accepted publickey for ${login} ${from}: ${auth.keyType} ${auth.fp}`);
      break;
    case 'password':
      sshLine(w, rng, t, c.host, c.tag, `Accepted password for ${login} ${from}`);
      break;
    case 'totp': {
      const pamTag = (): string => `sshd(pam_google_authenticator)[${rng.int(1200, 64000)}]`;
      if (auth.failFirst) {
        sshLine(w, rng, t, c.host, pamTag(), `Invalid verification code for ${login}`);
        sshLine(w, rng, t + rng.int(20, 120), c.host, c.tag, `Failed keyboard-interactive/pam for ${login} ${from}`);
        t += rng.int(15_000, 40_000);
      }
      sshLine(w, rng, t, c.host, pamTag(), `Accepted google_authenticator for ${login}`);
      sshLine(w, rng, t + rng.int(2, 30), c.host, c.tag, `Accepted keyboard-interactive/pam for ${login} ${from}`);
      break;
    }
  }
  t += rng.int(8, 30);
  sshLine(w, rng, t, c.host, c.tag, `pam_unix(sshd:session): session opened for user ${login}${legacy ? '' : `(uid=${uid})`} by (uid=0)`);
  if (!legacy) sshLine(w, rng, t + rng.int(5, 20), c.host, `systemd-logind[${700 + c.host.length * 13}]`, `New session ${logindSession(w, c.host, t)} of user ${login}.`);
  sshLine(w, rng, end, c.host, c.tag, `Received disconnect from ${c.ip} port ${c.port}:11: disconnected by user`);
  sshLine(w, rng, end + 1, c.host, c.tag, `Disconnected from user ${login} ${c.ip} port ${c.port}`);
  sshLine(w, rng, end + rng.int(10, 40), c.host, c.tag, `pam_unix(sshd:session): session closed for user ${login}`);
}

/** A mistyped password before a success (same connection). */
export function sshFailedPassword(w: World, rng: Rng, c: SshConn, login: string, t: number): void {
  if (!LEGACY.has(c.host)) sshLine(w, rng, t - rng.int(5, 40), c.host, c.tag, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${c.ip}  user=${login}`);
  sshLine(w, rng, t, c.host, c.tag, `Failed password for ${login} from ${c.ip} port ${c.port} ssh2`);
}

/** `sudo` to root by a logged-in user. */
export function sshSudo(w: World, rng: Rng, host: string, login: string, uid: number, t: number, command: string): void {
  sshLine(w, rng, t, host, 'sudo', `${login} : TTY=pts/${rng.int(0, 6)} ; PWD=/home/${login} ; USER=root ; COMMAND=${command}`);
  sshLine(w, rng, t + rng.int(2, 6), host, 'sudo', `pam_unix(sudo:session): session opened for user root(uid=0) by ${login}(uid=${uid})`);
}

/** Internet scanning against an exposed host: invalid users, root guesses, refused root logins. */
export function sshScan(w: World, rng: Rng, host: string, ip: string, t0: number, attempts: number): number {
  let t = t0;
  for (let i = 0; i < attempts; i++) {
    const c = sshConn(rng, host, ip);
    const user = rng.pick(['admin', 'oracle', 'ubuntu', 'test', 'postgres', 'git', 'root', 'root', 'deploy', 'user']);
    if (user === 'root') {
      if (rng.chance(0.4)) {
        sshLine(w, rng, t, host, c.tag, `ROOT LOGIN REFUSED FROM ${ip} port ${c.port}`);
      } else {
        sshLine(w, rng, t, host, c.tag, `pam_unix(sshd:auth): authentication failure; logname= uid=0 euid=0 tty=ssh ruser= rhost=${ip}  user=root`);
        sshLine(w, rng, t + rng.int(1500, 2600), host, c.tag, `Failed password for root from ${ip} port ${c.port} ssh2`);
      }
    } else if (user === 'deploy' || user === 'ubuntu') {
      // Existing account: failures without the "invalid user" marker.
      sshLine(w, rng, t, host, c.tag, `Failed password for ${user} from ${ip} port ${c.port} ssh2`);
      sshLine(w, rng, t + rng.int(300, 900), host, c.tag, `Connection closed by authenticating user ${user} ${ip} port ${c.port} [preauth]`);
    } else {
      sshLine(w, rng, t, host, c.tag, `Invalid user ${user} from ${ip} port ${c.port}`);
      sshLine(w, rng, t + rng.int(1500, 2600), host, c.tag, `Failed password for invalid user ${user} from ${ip} port ${c.port} ssh2`);
      sshLine(w, rng, t + rng.int(2700, 3400), host, c.tag, `Connection closed by invalid user ${user} ${ip} port ${c.port} [preauth]`);
    }
    t += rng.int(4000, 45_000);
  }
  return t;
}
