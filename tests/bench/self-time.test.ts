import { describe, expect, it } from 'vitest';
import {
  byCategory,
  type CpuProfile,
  categoryOf,
  moduleOf,
  timeByModule,
} from '../../bench/profile/self-time.ts';

const frame = (id: number, url: string, functionName = 'f') => ({
  id,
  callFrame: { functionName, url },
});

describe('the module a frame belongs to', () => {
  it.each([
    [
      'file:///work/main/node_modules/@aws-sdk/client-dynamodb/dist-es/index.js',
      '@aws-sdk/client-dynamodb',
    ],
    ['file:///work/main/node_modules/a/node_modules/@smithy/core/dist/x.js', '@smithy/core'],
    ['file:///work/main/node_modules/ky/distribution/index.js', 'ky'],
    ['file:///work/main/lib/store/dynamodb-table.ts', 'lib/store/dynamodb-table.ts'],
    ['file:///work/main/bench/floor/floor-finish.ts', 'bench/floor/floor-finish.ts'],
    ['node:internal/deps/undici/undici', 'node:undici (fetch)'],
    ['node:internal/streams/writable', 'node:streams'],
    ['node:events', 'node:events'],
    ['wasm://wasm/00034eea', 'node:undici (fetch)'],
  ])('%s is %s', (url, module) => {
    expect(moduleOf(url, 'f')).toBe(module);
  });

  it("names V8's own work by its frame", () => {
    expect(moduleOf('', '(garbage collector)')).toBe('(garbage collector)');
    expect(moduleOf('', 'parse')).toBe('(native)');
  });

  it('sorts modules into what the profile must tell apart', () => {
    expect(categoryOf('@aws-lambda-powertools/logger')).toBe('logging');
    expect(categoryOf('lib/logger.ts')).toBe('logging');
    expect(categoryOf('@aws-lambda-powertools/metrics')).toBe('metrics');
    expect(categoryOf('@middy/core')).toBe('middy');
    expect(categoryOf('lib/store/items.ts')).toBe("the writes' expressions (stores)");
    expect(categoryOf('lib/signinghub/exchange.ts')).toBe('the SigningHub client (ky, fetch)');
    expect(categoryOf('node:undici (fetch)')).toBe('the SigningHub client (ky, fetch)');
    expect(categoryOf('@smithy/core')).toBe('AWS SDK');
    expect(categoryOf('@aws/lambda-invoke-store')).toBe('AWS SDK');
    expect(categoryOf('mnemonist')).toBe('other packages');
    expect(categoryOf('functions/finish.ts')).toBe('handler and domain (functions/, lib/)');
    expect(categoryOf('@aws-lambda-powertools/idempotency')).toBe('batch and idempotency (peer)');
    expect(categoryOf('lib/finish/signing-event.ts')).toBe('validation');
    expect(categoryOf('lib/finish/finish-package.ts')).toBe(
      'handler and domain (functions/, lib/)',
    );
    expect(categoryOf('bench/warm-worker.ts')).toBe(
      'the bench harness (events, contexts, counting)',
    );
    expect(categoryOf('bench/floor/floor-finish.ts')).toBe('the bench floor and peer code');
    expect(categoryOf('node:http')).toBe('Node core (http, streams, timers)');
    expect(categoryOf('(idle)')).toBe('idle');
  });
});

describe('self time', () => {
  // Samples every 100 µs from t = 1000: ky, the store, idle, ky, GC.
  const profile: CpuProfile = {
    nodes: [
      frame(1, 'file:///x/node_modules/ky/index.js'),
      frame(2, 'file:///x/lib/store/dynamodb-table.ts'),
      frame(3, '', '(idle)'),
      frame(4, '', '(garbage collector)'),
    ],
    startTime: 1000,
    endTime: 1500,
    samples: [1, 2, 3, 1, 4],
    timeDeltas: [100, 100, 100, 100, 100],
  };

  it('sums the time since the sample before, per module', () => {
    expect(Object.fromEntries(timeByModule(profile))).toEqual({
      ky: 200,
      'lib/store/dynamodb-table.ts': 100,
      '(idle)': 100,
      '(garbage collector)': 100,
    });
  });

  it('counts only the samples inside the windows', () => {
    // Samples at 1100, 1200, 1300, 1400, 1500: the windows keep 1100–1200 and 1500.
    const totals = timeByModule(profile, [
      { from: 1450, to: 1500 },
      { from: 1100, to: 1200 },
    ]);
    expect(Object.fromEntries(totals)).toEqual({
      ky: 100,
      'lib/store/dynamodb-table.ts': 100,
      '(garbage collector)': 100,
    });
  });

  it("charges Node's and V8's frames to the nearest package or project frame below them", () => {
    // The SDK calls node:crypto, which calls a native hash; GC hangs off the root.
    const nested: CpuProfile = {
      nodes: [
        { ...frame(1, '', '(root)'), children: [2, 5] },
        { ...frame(2, 'file:///x/node_modules/@smithy/signature-v4/index.js'), children: [3] },
        { ...frame(3, 'node:internal/crypto/hash'), children: [4] },
        frame(4, '', 'digest'),
        frame(5, '', '(garbage collector)'),
      ],
      startTime: 0,
      endTime: 400,
      samples: [4, 3, 2, 5],
      timeDeltas: [100, 100, 100, 100],
    };
    expect(Object.fromEntries(timeByModule(nested, undefined, 'caller'))).toEqual({
      '@smithy/signature-v4': 300,
      '(garbage collector)': 100,
    });
    expect(Object.fromEntries(timeByModule(nested))).toEqual({
      '(native)': 100,
      'node:crypto': 100,
      '@smithy/signature-v4': 100,
      '(garbage collector)': 100,
    });
  });

  it('sees through the bench harness to the logger whose line it counts', () => {
    // The logger writes through the bench's counting wrapper into a Node stream.
    const logging: CpuProfile = {
      nodes: [
        { ...frame(1, '', '(root)'), children: [2] },
        {
          ...frame(2, 'file:///x/node_modules/@aws-lambda-powertools/logger/index.js'),
          children: [3],
        },
        { ...frame(3, 'file:///x/bench/warm-worker.ts'), children: [4] },
        frame(4, 'node:internal/streams/writable'),
      ],
      startTime: 0,
      endTime: 200,
      samples: [4, 3],
      timeDeltas: [100, 100],
    };
    expect(Object.fromEntries(timeByModule(logging, undefined, 'caller'))).toEqual({
      '@aws-lambda-powertools/logger': 200,
    });
  });

  it('adds modules up by category', () => {
    const categories = byCategory(timeByModule(profile));
    expect(categories.get('the SigningHub client (ky, fetch)')).toBe(200);
    expect(categories.get('idle')).toBe(100);
  });
});
