import { describe, expect, it } from 'vitest';
import { completionBatches, signingEventBatches } from '../../bench/events.ts';

const bodies = (first: number, events: number, batchSize: number) =>
  signingEventBatches(first, events, batchSize).flatMap((batch) =>
    batch.Records.map((record) => JSON.parse(record.body) as Record<string, unknown>),
  );

describe('the events the bench sends', () => {
  it('sends each package once, in batches of the size asked for', () => {
    const batches = signingEventBatches(101, 25, 10);
    expect(batches.map((batch) => batch.Records.length)).toEqual([10, 10, 5]);
    expect(bodies(101, 25, 10).map((body) => body.packageId)).toEqual(
      Array.from({ length: 25 }, (_, index) => 101 + index),
    );
  });

  it('gives a package the same signer in whatever slice it comes, so a redelivery is the same event', () => {
    const whole = bodies(1, 50, 10);
    const sliced = [...bodies(1, 30, 10), ...bodies(31, 20, 10)];
    expect(sliced.map((body) => body.signerEmail)).toEqual(whole.map((body) => body.signerEmail));
  });

  it('spreads the events over 20 signers, one token scope each', () => {
    expect(new Set(bodies(1, 100, 10).map((body) => body.signerEmail)).size).toBe(20);
  });

  it('hands publish the records of packages that just became COMPLETED', () => {
    const [batch] = completionBatches(7, 3, 10);
    expect(batch?.Records).toHaveLength(3);
    const change = batch?.Records[0]?.dynamodb;
    expect(change?.Keys?.pk?.S).toBe('PACKAGE#7');
    expect(change?.OldImage?.status?.S).toBe('IN_PROGRESS');
    expect(change?.NewImage?.status?.S).toBe('COMPLETED');
  });
});
