import type { Row } from './tables.ts';

/** One of the targets: met, missed, or not measured in this run (undefined). */
export interface Verdict {
  readonly target: string;
  readonly met: boolean | undefined;
  readonly text: string;
}

export const NOT_MEASURED = 'not measured';

/** The rows of the bench's table, and the verdicts on the targets they carry. */
export class Report {
  readonly rows: Row[] = [];
  readonly verdicts: Verdict[] = [];

  add(row: Row): void {
    this.rows.push(row);
  }

  /** Records a target's verdict and returns its text for the row's result cell. */
  judge(target: string, text: string): string {
    this.verdicts.push({ target, met: text === NOT_MEASURED ? undefined : text === 'met', text });
    return text;
  }
}
