import type { DynamoDBRecord } from 'aws-lambda';
import { type PackageRef, refOfPartition } from './tenant-mix.ts';

const FINAL: Readonly<Record<string, ReadonlySet<string>>> = {
  package: new Set(['COMPLETED', 'DECLINED', 'DELETED']),
  finish: new Set(['SUCCEEDED', 'FAILED']),
};

export interface Overwrite {
  readonly item: string;
  readonly from: string;
  readonly to: string;
}

/** Every change the table's stream carried, as far as final statuses are concerned. */
export interface StreamHistory {
  observe(records: readonly DynamoDBRecord[]): void;
  readonly stats: { readonly records: number; readonly duplicatesSkipped: number };
  /** Writes that changed (or removed) a status that was final. */
  readonly overwrites: readonly Overwrite[];
  /** Per package: how many writes moved it from not final to final (one is right). */
  readonly becameFinal: ReadonlyMap<PackageRef, number>;
}

type Image = NonNullable<NonNullable<DynamoDBRecord['dynamodb']>['NewImage']>;

const kindOf = (image: Image | undefined): 'package' | 'finish' | undefined => {
  const sk = image?.sk?.S;
  if (sk === 'PACKAGE') return 'package';
  return sk?.startsWith('FINISH#') ? 'finish' : undefined;
};

export const createStreamHistory = (): StreamHistory => {
  const seen = new Set<string>();
  const overwrites: Overwrite[] = [];
  const becameFinal = new Map<PackageRef, number>();
  const stats = { records: 0, duplicatesSkipped: 0 };

  const observeOne = (record: DynamoDBRecord) => {
    const sequence = record.dynamodb?.SequenceNumber ?? record.eventID ?? '';
    if (seen.has(sequence)) {
      stats.duplicatesSkipped += 1;
      return;
    }
    seen.add(sequence);
    stats.records += 1;
    const before = record.dynamodb?.OldImage;
    const after = record.eventName === 'REMOVE' ? undefined : record.dynamodb?.NewImage;
    const kind = kindOf(before) ?? kindOf(after);
    if (!kind) return;
    const final = FINAL[kind] ?? new Set<string>();
    const from = before?.status?.S;
    const to = after?.status?.S;
    const item = `${before?.pk?.S ?? after?.pk?.S} ${before?.sk?.S ?? after?.sk?.S}`;
    if (from !== undefined && final.has(from) && to !== from) {
      overwrites.push({ item, from, to: to ?? '<removed>' });
    }
    if (kind === 'package' && to !== undefined && final.has(to) && !final.has(from ?? '')) {
      const ref = refOfPartition(after?.pk?.S) ?? `<${after?.pk?.S}>`;
      becameFinal.set(ref, (becameFinal.get(ref) ?? 0) + 1);
    }
  };

  return {
    observe: (records) => {
      for (const record of records) observeOne(record);
    },
    stats,
    overwrites,
    becameFinal,
  };
};
