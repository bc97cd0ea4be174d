import { readFileSync } from 'node:fs';
import { parse } from 'yaml';
import { stackSettings } from '../cost/stack-settings.ts';

const field = (value: unknown, name: string): unknown =>
  typeof value === 'object' && value !== null && !Array.isArray(value)
    ? (value as Record<string, unknown>)[name]
    : undefined;

/**
 * The archive function's memory as serverless.yml deploys it by default, with its architecture:
 * "256 MB (arm64)". Its `memorySize` is `${self:custom.archive.memorySize}`, which
 * infra/archive.cjs resolves from the `archiveMemorySize` parameter: stackSettings, which reads
 * only numbers, would take the provider's instead, so the parameter comes first.
 */
export const archiveMemorySetting = (serverlessYml: URL): string => {
  const service: unknown = parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'silent' });
  const parameter = field(field(field(service, 'params'), 'default'), 'archiveMemorySize');
  const settings = stackSettings(serverlessYml).get('archive');
  const memoryMb = typeof parameter === 'number' && parameter > 0 ? parameter : settings?.memoryMb;
  if (memoryMb === undefined) return 'not found in serverless.yml';
  return `${memoryMb} MB${settings ? ` (${settings.architecture})` : ''}`;
};
