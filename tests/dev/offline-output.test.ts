import { describe, expect, it } from 'vitest';
import { formatOfflineLine, maskSecrets } from '../../dev/offline-output.ts';

// What the npm start terminal shows of serverless-offline's output.

describe('formatOfflineLine', () => {
  it('makes a Powertools log line short, naming the function', () => {
    const line = JSON.stringify({
      level: 'WARN',
      message: 'finish failed for now; retrying',
      timestamp: '2026-12-07T04:23:47.000Z',
      service: 'signinghub-finish-local',
      function_name: 'signinghub-finish-local-finish',
      packageId: 1003,
      attempt: 1,
    });

    expect(formatOfflineLine(line)).toBe(
      '  [finish] WARN  finish failed for now; retrying  packageId=1003 attempt=1',
    );
  });

  it('leaves out metrics records, blank lines and frames', () => {
    const metrics = JSON.stringify({
      _aws: { Timestamp: 1, CloudWatchMetrics: [{ Namespace: 'SigningHubFinish', Metrics: [] }] },
      service: 'signinghub-finish-local',
      FinishRequests: 1,
    });

    expect(formatOfflineLine(metrics)).toBeUndefined();
    expect(formatOfflineLine('   ')).toBeUndefined();
    expect(formatOfflineLine('│ └──')).toBeUndefined();
  });

  it('shortens requests and reports, and shows anything else as it is', () => {
    expect(formatOfflineLine('GET /signinghub/callback/**** (λ: callback)')).toBe(
      '  [callback] GET /signinghub/callback/****',
    );
    expect(
      formatOfflineLine('(λ: finish) RequestId: abc  Duration: 908.41 ms  Billed Duration: 909 ms'),
    ).toBe('  [finish] done in 908 ms');
    expect(formatOfflineLine('Offline [http for lambda] listening')).toBe(
      '  [offline] Offline [http for lambda] listening',
    );
  });
});

describe('maskSecrets', () => {
  it('masks each secret wherever it stands', () => {
    const mask = maskSecrets(['s3cr3t-value', 'ab']);
    expect(mask('/signinghub/callback/s3cr3t-value?x=s3cr3t-value ab')).toBe(
      '/signinghub/callback/****?x=**** ab',
    );
  });
});
