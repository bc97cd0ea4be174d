import { readFileSync } from 'node:fs';
import type { BuildOptions } from 'esbuild';
import { parse } from 'yaml';

/** serverless-esbuild's own settings, which it removes before calling esbuild. */
const PLUGIN_ONLY = new Set([
  'concurrency',
  'zipConcurrency',
  'exclude',
  'nativeZip',
  'packager',
  'packagePath',
  'watch',
  'keepOutputDirectory',
  'packagerOptions',
  'installExtraArgs',
  'outputFileExtension',
  'outputBuildFolder',
  'outputWorkFolder',
  'nodeExternals',
  'skipBuild',
  'skipRebuild',
  'skipBuildExcludeFns',
  'stripEntryResolveExtensions',
  'disposeContext',
]);

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * The esbuild options serverless-esbuild derives from `custom.esbuild` in serverless.yml, so the
 * floor and peer bundles are built exactly like the functions are.
 */
export const serverlessEsbuildOptions = (serverlessYml: URL): BuildOptions => {
  // CloudFormation tags (!Ref, !GetAtt) are irrelevant here; the parser keeps them as plain values.
  const service: unknown = parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'silent' });
  const custom = isRecord(service) ? service.custom : undefined;
  const esbuild = isRecord(custom) ? custom.esbuild : undefined;
  if (!isRecord(esbuild)) throw new Error('serverless.yml has no custom.esbuild settings');
  const options: Record<string, unknown> = {};
  for (const [name, value] of Object.entries(esbuild)) {
    if (!PLUGIN_ONLY.has(name)) options[name] = value;
  }
  const exclude = Array.isArray(esbuild.exclude) ? esbuild.exclude.map(String) : [];
  const external = Array.isArray(esbuild.external) ? esbuild.external.map(String) : [];
  options.external = [...external, ...(exclude.includes('*') ? [] : exclude)];
  const extension = esbuild.outputFileExtension;
  if (typeof extension === 'string' && extension !== '.js') {
    options.outExtension = { '.js': extension };
  }
  return options as BuildOptions;
};
