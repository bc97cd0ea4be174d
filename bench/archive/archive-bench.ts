import { mkdtemp, rm } from 'node:fs/promises';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { allowedCpus, type CpuPlan, planCpus } from '../affinity.ts';
import { type Artifact, bundleLikeFunctions } from '../artifacts.ts';
import type { BenchOptions } from '../options.ts';
import { type BenchServices, startBenchServices } from '../services.ts';
import { ARCHIVE_SIZES, type ArchiveServices, runArchivePhase } from './archive-phase.ts';
import { type ArchiveSection, archiveSection } from './archive-section.ts';
import { archiveMemorySetting } from './memory-setting.ts';

const SERVERLESS_YML = new URL('../../serverless.yml', import.meta.url);

const load = (): number => loadavg()[0] ?? 0;

/**
 * The archive's phase of the bench: its runs, as a section of their own. `archive` is the
 * function's artifact (undefined when `serverless package` made none: archiveDocuments false).
 */
export const measureArchive = async (
  services: ArchiveServices,
  archive: Artifact | undefined,
  input: {
    readonly bundleSource: string;
    readonly cpus: CpuPlan | undefined;
    /** A smoke test: one run of each size. */
    readonly quick?: boolean;
  },
  step: (message: string) => void,
): Promise<ArchiveSection> => {
  if (!archive) {
    const said = 'The archive: not measured, `serverless package` made no archive function.';
    return { markdown: said, plain: said.replaceAll('`', ''), failed: true };
  }
  const { cpus } = input;
  const loadBefore = load();
  const sizes = input.quick ? ARCHIVE_SIZES.map((size) => ({ ...size, runs: 1 })) : ARCHIVE_SIZES;
  const runs = await runArchivePhase(
    services,
    { bundlePath: archive.bundlePath, cpus, sizes },
    step,
  );
  return archiveSection(runs, {
    memory: archiveMemorySetting(SERVERLESS_YML),
    bundleSource: input.bundleSource,
    placement: cpus
      ? `The archive's process on CPU ${cpus.handlers.join(',')}; the simulator and the S3 ` +
        `stand-in (the bench's process) and DynamoDB Local on CPU ${cpus.services.join(',')} ` +
        '(taskset).'
      : 'CPU placement left to the kernel.',
    node: process.version,
    loadBefore,
    loadAfter: load(),
  });
};

/**
 * `npm run bench -- --archive-only`: the archive's phase alone, its bundle made by esbuild with
 * serverless.yml's settings (as serverless-esbuild makes it, without packaging every function);
 * prints its table and leaves BENCHMARKS.md alone. Exit 1 when an archive failed.
 */
export const runArchiveOnly = async (
  options: BenchOptions,
  step: (message: string) => void,
): Promise<number> => {
  const workDir = await mkdtemp(join(tmpdir(), 'signinghub-bench-archive-'));
  const starting: Promise<BenchServices> = startBenchServices();
  try {
    step('bundling the archive function, starting DynamoDB Local and the simulator');
    const [archive, services] = await Promise.all([
      bundleLikeFunctions(
        'archive',
        new URL('../../functions/archive.ts', import.meta.url),
        workDir,
      ),
      starting,
    ]);
    const section = await measureArchive(
      services,
      archive,
      {
        bundleSource: "made by esbuild with serverless.yml's settings (--archive-only)",
        cpus: options.pin ? planCpus(allowedCpus()) : undefined,
      },
      step,
    );
    console.log(section.plain);
    return section.failed ? 1 : 0;
  } finally {
    step('stopping DynamoDB Local and the simulator');
    await starting.then(
      (services) => services.stop(),
      () => undefined,
    );
    await rm(workDir, { recursive: true, force: true });
  }
};
