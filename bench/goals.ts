// The targets of research/performance.md §4.1 and issue 8, evaluated on one run's figures.

/** One goal's verdict. */
export interface Goal {
  readonly id: string;
  readonly what: string;
  /** null when the run did not measure it (e.g. no 50M report run). */
  readonly value: number | null;
  readonly target: number;
  readonly op: '>=' | '<=';
  /** Ratio goals are asserted by `--assert` (10 % tolerance); absolute times and sizes are printed only. */
  readonly asserted: boolean;
  readonly pass: boolean | null;
  readonly note?: string;
}

/** Builds a goal verdict. */
export function goal(id: string, what: string, value: number | null, op: '>=' | '<=', target: number, asserted: boolean, note?: string): Goal {
  const pass = value === null || !Number.isFinite(value) ? null : op === '>=' ? value >= target : value <= target;
  return { id, what, value, target, op, asserted, pass, ...(note ? { note } : {}) };
}

/** Asserted goals missed by more than `tolerance` (relative to the target). */
export function assertionFailures(goals: readonly Goal[], tolerance = 0.1): Goal[] {
  return goals.filter((g) => {
    if (!g.asserted || g.value === null || !Number.isFinite(g.value)) return false;
    return g.op === '>=' ? g.value < g.target * (1 - tolerance) : g.value > g.target * (1 + tolerance);
  });
}
