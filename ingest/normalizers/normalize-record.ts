import { AuthEvent } from '../../schema/auth-event.ts';
import { compileCheck } from '../../schema/compile-check.ts';
import { sha256Hex } from './common.ts';
import type { NormalizeContext, Normalizer, NormalizerPolicy } from './normalizer.ts';
import { reject, type StepResult } from './step-result.ts';

/**
 * The hot-path AuthEvent check (compiled from the zod schema, check-only); zod itself runs only for events this
 * rejects, to produce the verdict and message (research/performance.md P-2: validation ≤ 15 % of parse).
 */
const isAuthEvent = compileCheck(AuthEvent);

/**
 * Runs one record through its normalizer and validates the output against the AuthEvent contract.
 * Never throws: a normalizer bug on odd input becomes a reject with the message, not a crash.
 */
export function normalizeRecord(
  normalizer: Normalizer,
  raw: string,
  payload: unknown,
  policy: NormalizerPolicy,
  ingestedAt: string,
  rawSha256: string = sha256Hex(raw),
): StepResult<AuthEvent[]> {
  const ctx: NormalizeContext = { raw_sha256: rawSha256, ingested_at: ingestedAt, policy };
  let result: StepResult<AuthEvent[]>;
  try {
    result = normalizer.normalize(payload, ctx);
  } catch (e) {
    return reject('normalizer_error', (e as Error).message);
  }
  if (result.kind !== 'ok') return result;
  return validateEvents(result.value) ?? result;
}

/** The production validation of normalizer output: null when every event meets the AuthEvent contract. */
export function validateEvents(events: readonly AuthEvent[]): StepResult<AuthEvent[]> | null {
  for (const ev of events) {
    if (isAuthEvent(ev)) continue;
    const check = AuthEvent.safeParse(ev);
    if (!check.success) {
      const issue = check.error.issues[0];
      return reject('invalid_event', `${issue?.path.join('.') ?? ''}: ${issue?.message ?? 'invalid'}`);
    }
  }
  return null;
}
