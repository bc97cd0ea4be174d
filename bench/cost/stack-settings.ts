import { readFileSync } from 'node:fs';
import { parse } from 'yaml';

export interface FunctionSettings {
  readonly memoryMb: number;
  readonly architecture: 'arm64' | 'x86_64';
}

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/**
 * Each function's memory size and architecture as serverless.yml deploys them: its own setting,
 * else the provider's, else the framework's defaults (1,024 MB, x86_64).
 */
export const stackSettings = (serverlessYml: URL): Map<string, FunctionSettings> => {
  // CloudFormation tags (!Ref, !GetAtt) are irrelevant here; the parser keeps them as plain values.
  const service: unknown = parse(readFileSync(serverlessYml, 'utf8'), { logLevel: 'silent' });
  const provider = isRecord(service) && isRecord(service.provider) ? service.provider : {};
  const functions = isRecord(service) && isRecord(service.functions) ? service.functions : {};
  const memory = (value: unknown, fallback: number) =>
    typeof value === 'number' && value > 0 ? value : fallback;
  const architecture = (value: unknown, fallback: 'arm64' | 'x86_64') =>
    value === 'arm64' || value === 'x86_64' ? value : fallback;
  const providerMemory = memory(provider.memorySize, 1024);
  const providerArchitecture = architecture(provider.architecture, 'x86_64');
  const settings = new Map<string, FunctionSettings>();
  for (const [name, definition] of Object.entries(functions)) {
    const own = isRecord(definition) ? definition : {};
    settings.set(name, {
      memoryMb: memory(own.memorySize, providerMemory),
      architecture: architecture(own.architecture, providerArchitecture),
    });
  }
  return settings;
};
