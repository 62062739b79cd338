import { readFileSync, unlinkSync, writeFileSync } from 'node:fs';

/** True when a process with this pid exists on this host. */
function alive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (e) {
    return (e as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/**
 * Exclusive, crash-tolerant lock on an embedded data directory: a file holding the owner's pid, created with O_EXCL.
 * A lock left by a dead process is taken over at once (no timers, so a long CPU-bound step never "loses" the lock).
 * Returns the release function, or null when a live process holds it.
 */
export function acquirePidLock(lockPath: string): (() => void) | null {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      writeFileSync(lockPath, `${process.pid}\n`, { flag: 'wx', mode: 0o600 });
      return () => {
        try {
          if (readFileSync(lockPath, 'utf8').trim() === String(process.pid)) unlinkSync(lockPath);
        } catch {
          // already gone: nothing to release
        }
      };
    } catch (e) {
      if ((e as NodeJS.ErrnoException).code !== 'EEXIST') throw e;
      let owner = Number.NaN;
      try {
        owner = Number(readFileSync(lockPath, 'utf8').trim());
      } catch {
        continue;
      }
      if (Number.isInteger(owner) && owner > 0 && owner !== process.pid && alive(owner)) return null;
      try {
        unlinkSync(lockPath);
      } catch {
        // another process removed it first; retry the exclusive create
      }
    }
  }
  return null;
}
