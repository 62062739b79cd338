import { describe, expect, it } from 'vitest';
import { FileConfig } from '../../../core/config.ts';
import { dayRuns, dirtyDaysOfEvents } from '../../../ingest/correlate/dirty.ts';

describe('dirty-day marking', () => {
  const file = FileConfig.parse({ policy: { credential_ttl_hours: 12, revocation_lookahead_days: 3 } });
  it('marks the event day, the day before and the credential TTL after; revocations mark the lookahead', () => {
    expect([...dirtyDaysOfEvents([{ event_time: '2025-03-11T09:00:00.000Z', action: 'login' }], file)].sort()).toEqual(['2025-03-10', '2025-03-11', '2025-03-12']);
    expect([...dirtyDaysOfEvents([{ event_time: '2025-03-11T09:00:00.000Z', action: 'access_revoked' }], file)].sort())
      .toEqual(['2025-03-10', '2025-03-11', '2025-03-12', '2025-03-13', '2025-03-14']);
  });
  it('groups days into contiguous runs', () => {
    expect(dayRuns(['2025-03-01', '2025-03-02', '2025-03-04', '2025-03-31', '2025-04-01'])).toEqual([
      ['2025-03-01', '2025-03-02'], ['2025-03-04', '2025-03-04'], ['2025-03-31', '2025-04-01'],
    ]);
  });
});
