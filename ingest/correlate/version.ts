/**
 * Version tokens: microseconds since the epoch, strictly increasing within the process. They order rewrites of
 * sessions/findings (ReplacingMergeTree version) and dirty/done marks. Deliberately not the injectable Clock:
 * they are bookkeeping, never evidence, and must keep increasing even when a test pins the clock.
 */
let last = 0;

/** The next version token. */
export function nextToken(): number {
  const now = Date.now() * 1000;
  last = now > last ? now : last + 1;
  return last;
}

/** ClickHouse DateTime64(6) text of a token ("2025-03-11 09:00:05.123456"). */
export function tokenTime(token: number): string {
  const ms = Math.floor(token / 1000);
  const micros = String(token % 1000).padStart(3, '0');
  return `${new Date(ms).toISOString().slice(0, 23).replace('T', ' ')}${micros}`;
}
