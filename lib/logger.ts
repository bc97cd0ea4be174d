import type { Logger } from '@aws-lambda-powertools/logger';

export type LogFields = Record<string, unknown>;

/** The little of a logger that the domain needs, so tests can pass a recorder. */
export interface Log {
  debug(message: string, fields?: LogFields): void;
  info(message: string, fields?: LogFields): void;
  warn(message: string, fields?: LogFields): void;
  error(message: string, fields?: LogFields): void;
}

type Level = keyof Log;
const LEVELS: readonly Level[] = ['debug', 'info', 'warn', 'error'];

const build = (write: (level: Level, message: string, fields?: LogFields) => void): Log => {
  const log = {} as Log;
  for (const level of LEVELS) log[level] = (message, fields) => write(level, message, fields);
  return log;
};

/** Adds keys (packageId, messageId, ...) to every line without mutating a shared logger. */
export const withKeys = (log: Log, keys: LogFields): Log =>
  build((level, message, fields) => log[level](message, fields ? { ...keys, ...fields } : keys));

export const fromPowertools = (logger: Logger): Log =>
  build((level, message, fields) =>
    fields ? logger[level](message, fields) : logger[level](message),
  );

export const silentLog: Log = build(() => {});
