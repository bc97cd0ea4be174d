import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { pathToFileURL } from 'node:url';
import { describe, expect, it } from 'vitest';
import { archiveSection } from '../../bench/archive/archive-section.ts';
import {
  type ArchiveRun,
  archiveFailure,
  archiveTable,
  MIB,
  spreadOf,
  summarizeArchive,
} from '../../bench/archive/archive-summary.ts';
import { archiveMemorySetting } from '../../bench/archive/memory-setting.ts';
import { parseBenchOptions } from '../../bench/options.ts';

const done = (
  documentMib: number,
  seconds: number,
  peakMib: number,
  loadedMib = 90,
): ArchiveRun => ({
  documentMib,
  ok: true,
  seconds,
  peakRssBytes: peakMib * MIB,
  loadedRssBytes: loadedMib * MIB,
});

const CONDITIONS = {
  memory: '256 MB (arm64)',
  bundleSource: "from `serverless package`'s zip",
  placement: 'CPU placement left to the kernel.',
  node: 'v24.0.0',
  loadBefore: 0.5,
  loadAfter: 1.25,
};

describe('a figure over the runs', () => {
  it('is the middle run, the mean of the middle two for an even count, with the range', () => {
    expect(spreadOf([3, 1, 2])).toEqual({ median: 2, lo: 1, hi: 3 });
    expect(spreadOf([4, 1])).toEqual({ median: 2.5, lo: 1, hi: 4 });
    expect(spreadOf([7])).toEqual({ median: 7, lo: 7, hi: 7 });
  });
});

describe('the archive runs by size', () => {
  it('summarises each size in the order run: seconds, MiB/s run by run, RSS in MiB', () => {
    const [small, large] = summarizeArchive([
      done(20, 2, 150),
      done(200, 10, 200, 95),
      done(20, 1, 140),
      done(200, 20, 210, 85),
      done(20, 4, 160),
    ]);
    expect(small).toEqual({
      documentMib: 20,
      runs: 3,
      failures: [],
      figures: {
        seconds: { median: 2, lo: 1, hi: 4 },
        mibPerSecond: { median: 10, lo: 5, hi: 20 },
        peakRssMib: { median: 150, lo: 140, hi: 160 },
        loadedRssMib: { median: 90, lo: 90, hi: 90 },
      },
    });
    expect(large?.figures?.mibPerSecond).toEqual({ median: 15, lo: 10, hi: 20 });
    expect(large?.figures?.loadedRssMib).toEqual({ median: 90, lo: 85, hi: 95 });
  });

  it('gives no figures for a size any run of which failed, and says which run and why', () => {
    const [size] = summarizeArchive([
      done(1, 0.5, 120),
      { documentMib: 1, ok: false, failure: 'no object was stored' },
      done(1, 0.4, 121),
    ]);
    expect(size).toEqual({
      documentMib: 1,
      runs: 3,
      failures: ['run 2: no object was stored'],
      figures: undefined,
    });
  });
});

describe('whether a run archived the document', () => {
  const expected = { bytes: 20 * MIB, sha256: 'a'.repeat(64) };
  const good = {
    answer: { batchItemFailures: [] },
    stored: { bytes: 20 * MIB, sha256: 'a'.repeat(64) },
    archiveStatus: 'ARCHIVED',
  };

  it('passes the answer with no failures, the document stored whole, the package ARCHIVED', () => {
    expect(archiveFailure(good, expected)).toBeUndefined();
  });

  it('fails a message handed back, an answer of anything else, or none', () => {
    const handedBack = { batchItemFailures: [{ itemIdentifier: 'm-1' }] };
    expect(archiveFailure({ ...good, answer: handedBack }, expected)).toBe(
      'the handler answered {"batchItemFailures":[{"itemIdentifier":"m-1"}]}',
    );
    expect(archiveFailure({ ...good, answer: undefined }, expected)).toBe(
      'the handler answered undefined',
    );
  });

  it('fails a missing object, a short one, other bytes, a package not ARCHIVED', () => {
    expect(archiveFailure({ ...good, stored: undefined }, expected)).toBe('no object was stored');
    expect(
      archiveFailure({ ...good, stored: { ...good.stored, bytes: 20 * MIB - 1 } }, expected),
    ).toBe(`the object holds ${20 * MIB - 1} bytes, not the document's ${20 * MIB}`);
    expect(
      archiveFailure({ ...good, stored: { ...good.stored, sha256: 'b'.repeat(64) } }, expected),
    ).toBe("the object's SHA-256 is not the document's");
    expect(archiveFailure({ ...good, archiveStatus: 'FAILED' }, expected)).toBe(
      "the package's archive status is FAILED, not ARCHIVED",
    );
    expect(archiveFailure({ ...good, archiveStatus: undefined }, expected)).toBe(
      "the package's archive status is absent, not ARCHIVED",
    );
  });
});

describe('the archive table', () => {
  it('shows the median and range of each figure, and the memory setting in its header', () => {
    const table = archiveTable(
      summarizeArchive([done(1, 0.5, 120, 88), done(1, 0.25, 130, 92), done(200, 12.5, 205)]),
      '256 MB (arm64)',
    );
    expect(table.header[4]).toBe("peak RSS, median (range); the function's memory: 256 MB (arm64)");
    expect(table.rows[0]?.slice(0, 6)).toEqual([
      '1 MiB',
      '2',
      '0.38 s (0.25–0.50)',
      '3.0 (2.0–4.0)',
      '125 MiB (120–130)',
      '90 MiB (88–92)',
    ]);
    // One run has no range; ten seconds and more are shown to a tenth.
    expect(table.rows[1]?.slice(0, 6)).toEqual([
      '200 MiB',
      '1',
      '12.5 s',
      '16.0',
      '205 MiB',
      '90 MiB',
    ]);
  });

  it('prints no figure for a failed size, only the failure', () => {
    const table = archiveTable(
      summarizeArchive([done(20, 1, 150), { documentMib: 20, ok: false, failure: 'timed out' }]),
      '256 MB (arm64)',
    );
    expect(table.rows).toEqual([
      [
        '20 MiB',
        '2',
        '**failed**',
        '**failed**',
        '**failed**',
        '**failed**',
        '**failed**: run 2: timed out',
      ],
    ]);
  });

  it('says how the runs were made above the table, and flags a failure', () => {
    const clean = archiveSection([done(1, 0.5, 120)], CONDITIONS);
    expect(clean.failed).toBe(false);
    expect(clean.markdown).toContain("The function's memory as deployed: 256 MB (arm64).");
    expect(clean.markdown).toContain('1-minute load average 0.50 before the runs, 1.25 after.');
    expect(clean.markdown).toContain('| 1 MiB | 1 | 0.50 s | 2.0 | 120 MiB | 90 MiB |');
    expect(clean.plain).not.toContain('`');

    const failed = archiveSection(
      [{ documentMib: 1, ok: false, failure: 'the handler answered null' }],
      CONDITIONS,
    );
    expect(failed.failed).toBe(true);
    expect(failed.markdown).toContain('**An archive failed: its size has no figures.**');
    expect(failed.plain).toContain('failed: run 1: the handler answered null');
    expect(failed.plain).not.toContain('**');
  });
});

describe("the archive's memory setting", () => {
  it('is the archiveMemorySize parameter, not the provider’s memory, with the architecture', async () => {
    const dir = await mkdtemp(join(tmpdir(), 'archive-memory-setting-'));
    try {
      const file = join(dir, 'serverless.yml');
      await writeFile(
        file,
        [
          'params:',
          '  default:',
          '    archiveMemorySize: 512',
          'provider:',
          '  memorySize: 256',
          '  architecture: arm64',
          'functions:',
          '  archive:',
          // biome-ignore lint/suspicious/noTemplateCurlyInString: serverless.yml's own variable
          '    memorySize: ${self:custom.archive.memorySize}',
        ].join('\n'),
      );
      expect(archiveMemorySetting(pathToFileURL(file))).toBe('512 MB (arm64)');
    } finally {
      await rm(dir, { recursive: true, force: true });
    }
  });

  it('reads the project’s serverless.yml', () => {
    expect(archiveMemorySetting(new URL('../../serverless.yml', import.meta.url))).toMatch(
      /^\d+ MB \((arm64|x86_64)\)$/,
    );
  });
});

describe('--archive-only', () => {
  it('runs the archive alone and leaves BENCHMARKS.md alone; not with --profile', () => {
    expect(parseBenchOptions(['--archive-only'])).toMatchObject({
      archiveOnly: true,
      write: false,
    });
    expect(parseBenchOptions([])).toMatchObject({ archiveOnly: false, write: true });
    expect(() => parseBenchOptions(['--archive-only', '--profile'])).toThrow(
      /--profile and --archive-only/,
    );
  });
});
