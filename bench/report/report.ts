import type { Row } from './tables.ts';

export type VerdictState = 'met' | 'missed' | 'within noise' | 'not measured';

/** One target or budget: met, missed, within noise (its interval straddles it), or not measured. */
export interface Verdict {
  readonly target: string;
  readonly state: VerdictState;
  readonly text: string;
}

export const NOT_MEASURED = 'not measured';

const stateOf = (text: string): VerdictState =>
  text === 'met'
    ? 'met'
    : text === NOT_MEASURED
      ? 'not measured'
      : text.startsWith('within noise')
        ? 'within noise'
        : 'missed';

/** The rows of the bench's table, and the verdicts on the targets they carry. */
export class Report {
  readonly rows: Row[] = [];
  readonly verdicts: Verdict[] = [];

  add(row: Row): void {
    this.rows.push(row);
  }

  /**
   * Records a verdict and returns its text for the row's result cell: "met", NOT_MEASURED,
   * "within noise…", or anything else for a miss.
   */
  judge(target: string, text: string): string {
    this.verdicts.push({ target, state: stateOf(text), text });
    return text;
  }
}
