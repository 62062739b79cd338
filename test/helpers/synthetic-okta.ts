// Synthetic Okta System Log records for the Kafka tests: unique `uuid`s (the oracle's ground truth), many users (so
// keys spread over partitions), small enough to push 200k through a 2-core machine quickly.

/** The uuid of synthetic record `i` of a run (deterministic, unique per `run` and `i`). */
export function syntheticUuid(run: string, i: number): string {
  const hex = i.toString(16).padStart(12, '0');
  const tag = Buffer.from(run).toString('hex').padEnd(8, '0').slice(0, 8);
  return `${tag}-0000-4000-8000-${hex}`;
}

/** One Okta `user.session.start` record as a JSON line. */
export function syntheticOktaLine(run: string, i: number, baseMs = Date.parse('2025-03-11T08:00:00.000Z')): string {
  const user = `user${String(i % 997)}@example.com`;
  return JSON.stringify({
    uuid: syntheticUuid(run, i),
    published: new Date(baseMs + i * 37).toISOString(),
    eventType: 'user.session.start',
    displayMessage: 'User login to Okta',
    actor: { id: `00u${String(i % 997).padStart(17, '0')}`, type: 'User', alternateId: user, displayName: user },
    client: { ipAddress: `203.0.113.${String(i % 250)}`, userAgent: { rawUserAgent: 'synthetic/1.0' } },
    outcome: { result: 'SUCCESS' },
    authenticationContext: { externalSessionId: `idx${String(i)}` },
    target: [],
  });
}

/** `n` synthetic lines starting at index `from`. */
export function syntheticOktaLines(run: string, n: number, from = 0): string[] {
  const lines: string[] = new Array<string>(n);
  for (let i = 0; i < n; i++) lines[i] = syntheticOktaLine(run, from + i);
  return lines;
}
