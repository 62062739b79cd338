import { systemClock, type Clock } from '../../core/clock.ts';
import { silentLogger } from '../../core/logger.ts';
import { DEFAULT_POLICY } from '../../ingest/normalizers/common.ts';

/** Pipeline deps for tests: silent logger, default policy, the wall clock (ingestion time drives retention). */
export function testDeps(clock: Clock = systemClock) {
  return { policy: DEFAULT_POLICY, clock, logger: silentLogger() };
}
