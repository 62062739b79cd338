/** Outcome of one pipeline step as a value: handled with an exhaustive switch, never thrown. */
export type StepResult<T> =
  | { readonly kind: 'ok'; readonly value: T }
  | { readonly kind: 'drop'; readonly reason: string }
  | { readonly kind: 'reject'; readonly reason: string; readonly detail: string };

/** The step produced a value. */
export function ok<T>(value: T): StepResult<T> {
  return { kind: 'ok', value };
}

/** Expected noise (e.g. read-only API calls): counted, not stored as events, not an error. */
export function drop<T>(reason: string): StepResult<T> {
  return { kind: 'drop', reason };
}

/** Unusable input: goes to dead_letters with the reason (a short stable code) and a detail. */
export function reject<T>(reason: string, detail = ''): StepResult<T> {
  return { kind: 'reject', reason, detail };
}
