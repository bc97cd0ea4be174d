import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { afterEach, beforeEach, vi } from 'vitest';
import type { Log, LogFields } from '../../../lib/logger.ts';
import { withDeployTools } from '../../support/deploy-tools.ts';
import { type MotoSecrets, startMotoSecrets } from '../../support/moto-secrets.ts';

/**
 * moto's Secrets Manager for the file's tests, behind a recorder that counts the reads, and the
 * functions' side of it: a client on the recorder's endpoint.
 */
export const withMotoSecretsClient = (): (() => {
  readonly secrets: MotoSecrets;
  readonly client: () => SecretsManagerClient;
}) =>
  withDeployTools(async (defer) => {
    const secrets = await startMotoSecrets();
    defer(() => secrets.stop());
    const client = new SecretsManagerClient({
      endpoint: secrets.endpoint,
      region: 'us-east-1',
      credentials: { accessKeyId: 'moto', secretAccessKey: 'moto' },
    });
    defer(async () => client.destroy());
    return { secrets, client: () => client };
  }, 60_000);

/**
 * Powertools' cache reads the clock (Date) to decide what has expired; nothing else is faked.
 * Answers a function that moves the clock on by that many seconds.
 */
export const withFakeDate = (): ((seconds: number) => void) => {
  beforeEach(() => {
    vi.useFakeTimers({ toFake: ['Date'] });
  });
  afterEach(() => {
    vi.useRealTimers();
  });
  return (seconds) => vi.setSystemTime(Date.now() + seconds * 1000);
};

export interface LoggedLine {
  readonly level: keyof Log;
  readonly message: string;
  readonly fields: LogFields | undefined;
}

/** A log that keeps its lines; `text` is all of them as one string, to search for a value. */
export const recordLog = (): Log & { readonly lines: LoggedLine[]; text(): string } => {
  const lines: LoggedLine[] = [];
  const at =
    (level: keyof Log) =>
    (message: string, fields?: LogFields): void => {
      lines.push({ level, message, fields });
    };
  return {
    lines,
    text: () => JSON.stringify(lines),
    debug: at('debug'),
    info: at('info'),
    warn: at('warn'),
    error: at('error'),
  };
};
