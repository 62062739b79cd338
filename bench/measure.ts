import { readFileSync, writeFileSync } from 'node:fs';

/** Median of a non-empty list (the mean of the two middle values for even lengths). */
export function median(values: readonly number[]): number {
  if (values.length === 0) return Number.NaN;
  const s = [...values].sort((a, b) => a - b);
  const mid = s.length >> 1;
  return s.length % 2 ? (s[mid] as number) : ((s[mid - 1] as number) + (s[mid] as number)) / 2;
}

/** Largest value of a list. */
export function best(values: readonly number[]): number {
  return values.reduce((a, b) => Math.max(a, b), Number.NEGATIVE_INFINITY);
}

/** Current resident set size in bytes. */
export function rssBytes(): number {
  return process.memoryUsage.rss();
}

/**
 * Resets the kernel's peak-RSS mark (VmHWM) so the next {@link peakRssBytes} covers only what follows. Linux only
 * (`/proc/self/clear_refs` 5); elsewhere the peak stays the process lifetime's, which only overstates it.
 */
export function resetPeakRss(): boolean {
  try {
    writeFileSync('/proc/self/clear_refs', '5');
    return true;
  } catch {
    return false;
  }
}

/** Peak RSS in bytes since the last {@link resetPeakRss} (or process start). */
export function peakRssBytes(): number {
  try {
    const m = /VmHWM:\s+(\d+) kB/.exec(readFileSync('/proc/self/status', 'utf8'));
    if (m) return Number(m[1]) * 1024;
  } catch {
    // not Linux: fall through
  }
  return process.resourceUsage().maxRSS * 1024;
}

/** What one timed run consumed. */
export interface RunSample {
  readonly seconds: number;
  /** CPU time of the whole process (JS thread, engine threads, libuv pool) divided by wall time. */
  readonly cores: number;
  readonly peak_rss: number;
}

/** Times `fn` (sync or async) with process CPU and peak RSS. */
export async function timed(fn: () => unknown): Promise<RunSample> {
  resetPeakRss();
  const cpu0 = process.cpuUsage();
  const t0 = process.hrtime.bigint();
  await fn();
  const seconds = Number(process.hrtime.bigint() - t0) / 1e9;
  const cpu = process.cpuUsage(cpu0);
  return { seconds, cores: (cpu.user + cpu.system) / 1e6 / Math.max(seconds, 1e-9), peak_rss: peakRssBytes() };
}

/** Human form of a byte count. */
export function fmtBytes(n: number): string {
  if (n >= 1 << 30) return `${(n / (1 << 30)).toFixed(2)} GiB`;
  if (n >= 1 << 20) return `${(n / (1 << 20)).toFixed(0)} MiB`;
  if (n >= 1 << 10) return `${(n / (1 << 10)).toFixed(0)} KiB`;
  return `${n} B`;
}

/** Human form of a rate. */
export function fmtRate(perSecond: number): string {
  if (perSecond >= 1e6) return `${(perSecond / 1e6).toFixed(2)}M`;
  if (perSecond >= 1e3) return `${(perSecond / 1e3).toFixed(1)}k`;
  return perSecond.toFixed(0);
}

/** Rounds for the JSON line. */
export function round(n: number, digits = 3): number {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
