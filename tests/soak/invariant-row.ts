export interface InvariantRow {
  readonly invariant: string;
  readonly observed: string;
  readonly ok: boolean;
  /** A few examples of what broke it, for the reader to follow up. */
  readonly examples: readonly string[];
}

/** A row of the report: it holds when nothing broke it and `extraOk` agrees. */
export const row = (
  invariant: string,
  observed: string,
  problems: readonly string[],
  extraOk = true,
): InvariantRow => ({
  invariant,
  observed,
  ok: problems.length === 0 && extraOk,
  examples: problems.slice(0, 5),
});
