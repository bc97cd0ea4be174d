import { execFile } from 'node:child_process';
import { mkdir, readdir, readFile, writeFile } from 'node:fs/promises';
import { basename, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { promisify } from 'node:util';
import { build } from 'esbuild';
import { readZip, writeZip } from '../harness/zip.ts';
import { serverlessEsbuildOptions } from './esbuild-options.ts';

const run = promisify(execFile);

export interface Artifact {
  /** `finish`, `callback`, ... for the functions; `floor` and `peer` for the bench's own. */
  readonly name: string;
  /** The deployment zip's size. */
  readonly zipBytes: number;
  /** The bundled handler, unzipped, ready to import. */
  readonly bundlePath: string;
  readonly bundleBytes: number;
}

const ROOT = new URL('../', import.meta.url);
const ROOT_DIR = fileURLToPath(ROOT);

/** Runs `serverless package` as an operator would and unpacks each function's bundled handler. */
export const packageFunctions = async (workDir: string, env: NodeJS.ProcessEnv) => {
  const packageDir = join(workDir, 'package');
  const packageOnce = () =>
    run(
      process.execPath,
      [
        'node_modules/osls/bin/serverless.js',
        'package',
        '--stage',
        'bench',
        '--package',
        packageDir,
      ],
      {
        cwd: ROOT_DIR,
        env: { ...env, SLS_TELEMETRY_DISABLED: '1' },
        timeout: 120_000,
      },
    );
  // serverless-esbuild builds in the project's .esbuild folder, which another run may be using.
  await packageOnce().catch(packageOnce);
  // `finish` first: it is the one the targets are about.
  const zips = (await readdir(packageDir))
    .filter((file) => file.endsWith('.zip'))
    .sort((a, b) => Number(b === 'finish.zip') - Number(a === 'finish.zip') || a.localeCompare(b));
  const artifacts: Artifact[] = [];
  for (const zip of zips) {
    const name = basename(zip, '.zip');
    const archive = await readFile(join(packageDir, zip));
    const handler = readZip(archive).find((entry) => /\.m?js$/.test(entry.name));
    if (!handler) throw new Error(`${zip} holds no JavaScript handler`);
    const bundlePath = join(workDir, 'bundles', name, basename(handler.name));
    await mkdir(join(workDir, 'bundles', name), { recursive: true });
    await writeFile(bundlePath, handler.data);
    artifacts.push({
      name,
      zipBytes: archive.length,
      bundlePath,
      bundleBytes: handler.data.length,
    });
  }
  return artifacts;
};

/** Bundles a bench handler the way serverless-esbuild bundles the functions, and zips it alike. */
export const bundleLikeFunctions = async (
  name: string,
  entry: URL,
  workDir: string,
): Promise<Artifact> => {
  const outdir = join(workDir, 'bundles', name);
  const result = await build({
    ...serverlessEsbuildOptions(new URL('serverless.yml', ROOT)),
    absWorkingDir: ROOT_DIR,
    entryPoints: [fileURLToPath(entry)],
    outdir,
    write: true,
    logLevel: 'silent',
    metafile: true,
  });
  const [bundlePath] = Object.keys(result.metafile.outputs).map((output) => join(ROOT_DIR, output));
  if (bundlePath === undefined) throw new Error(`esbuild wrote nothing for ${name}`);
  const data = await readFile(bundlePath);
  const zipBytes = writeZip([{ name: basename(bundlePath), data }]).length;
  return { name, zipBytes, bundlePath, bundleBytes: data.length };
};
