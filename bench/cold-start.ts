import { spawn } from 'node:child_process';
import { pathToFileURL } from 'node:url';

export interface ColdStartTarget {
  readonly name: string;
  /** The bundle to import; none for the process that imports nothing. */
  readonly bundlePath?: string;
}

export interface ColdStartSamples {
  readonly name: string;
  /** Why the target could not be imported; no samples then. */
  readonly error?: string;
  /** From spawning the process to its exit, as the parent sees it. */
  readonly processMs: number[];
  /** The `import()` of the bundle alone, timed inside the process. */
  readonly importMs: number[];
}

// Exits at once after the import, so every target pays the same teardown.
const PROBE = [
  'const started = performance.now();',
  'if (process.argv[1]) await import(process.argv[1]);',
  'process.stdout.write(String(performance.now() - started));',
  'process.exit(0);',
].join('\n');

const probe = (
  bundlePath: string | undefined,
  env: Readonly<Record<string, string>>,
): Promise<{ processMs: number; importMs: number }> =>
  new Promise((resolve, reject) => {
    const started = performance.now();
    const args = ['--input-type=module', '-e', PROBE];
    if (bundlePath) args.push(pathToFileURL(bundlePath).href);
    const child = spawn(process.execPath, args, {
      env: { PATH: process.env.PATH ?? '', ...env },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let stdout = '';
    let stderr = '';
    child.stdout.on('data', (chunk: Buffer) => {
      stdout += chunk.toString();
    });
    child.stderr.on('data', (chunk: Buffer) => {
      stderr = (stderr + chunk.toString()).slice(-2_000);
    });
    child.once('error', reject);
    child.once('exit', (code) => {
      const processMs = performance.now() - started;
      const importMs = Number(stdout);
      if (code !== 0 || !Number.isFinite(importMs)) {
        reject(new Error(`importing ${bundlePath ?? 'nothing'} failed (exit ${code}):\n${stderr}`));
      } else {
        resolve({ processMs, importMs });
      }
    });
  });

/**
 * Fresh Node processes importing each bundle, `runs` times each, taken in turn so that the
 * machine's noise falls on every target alike.
 */
export const measureColdStarts = async (
  targets: readonly ColdStartTarget[],
  env: Readonly<Record<string, string>>,
  runs: number,
): Promise<ColdStartSamples[]> => {
  const failed = new Map<string, string>();
  // One untimed pass: the first read of each bundle comes from disk, later ones from the page cache.
  for (const target of targets) {
    await probe(target.bundlePath, env).catch((error: unknown) => {
      failed.set(target.name, error instanceof Error ? error.message : String(error));
    });
  }
  const measured = targets.filter(({ name }) => !failed.has(name));
  const samples = new Map(
    measured.map(({ name }) => [name, { processMs: [] as number[], importMs: [] as number[] }]),
  );
  for (let run = 0; run < runs; run += 1) {
    for (let offset = 0; offset < measured.length; offset += 1) {
      const target = measured[(run + offset) % measured.length];
      const sample = target && samples.get(target.name);
      if (!target || !sample) continue;
      const { processMs, importMs } = await probe(target.bundlePath, env);
      sample.processMs.push(processMs);
      sample.importMs.push(importMs);
    }
  }
  return targets.map(({ name }) => {
    const error = failed.get(name);
    const sample = samples.get(name);
    return error !== undefined || !sample
      ? { name, error: error ?? 'not measured', processMs: [], importMs: [] }
      : { name, ...sample };
  });
};
