import { createWriteStream } from 'node:fs';
import { tapOutput } from '../support/output-tap.ts';

export interface LeakFinding {
  /** What leaked (never its value). */
  readonly kind: string;
  readonly lineNumber: number;
  /** The line with every secret replaced by its kind, cut short. */
  readonly excerpt: string;
}

export interface LogScan {
  readonly lines: number;
  readonly bytes: number;
  readonly findings: readonly LeakFinding[];
  /** Findings beyond those kept. */
  readonly moreFindings: number;
}

export interface LogScanner {
  /** A fixed secret (client secret, password, callback secret). */
  addSecret(kind: string, value: string): void;
  /** A token issued during the run: many of them, so they are looked up rather than searched. */
  addToken(value: string): void;
  /** Harness progress: scanned like the rest, and written to the real stderr. */
  print(text: string): void;
  /** Scans any other text (answers, stored items) the same way; the logs' count is left alone. */
  scanText(source: string, text: string): readonly LeakFinding[];
  stop(): LogScan;
}

const KEEP_FINDINGS = 20;
const MIN_TOKEN_LENGTH = 20;
// Tokens are base64url: a token inside a line lies within a run of these characters.
const TOKEN_RUN = /[A-Za-z0-9_-]{20,}/g;

/**
 * Takes over stdout and stderr (where Powertools Logger writes) and checks every complete line
 * for secrets and tokens as it is written, so the run need not keep its logs in memory.
 */
export interface LogScannerOptions {
  readonly passThrough: boolean;
  /** Keeps a copy of every line there, for reading after the run. */
  readonly logFile?: string | undefined;
  /** Sees every complete line too, for evidence other than leaks (kept by whoever passes it). */
  readonly onLine?: ((line: string) => void) | undefined;
}

export const startLogScanner = (options: LogScannerOptions): LogScanner => {
  const file = options.logFile === undefined ? undefined : createWriteStream(options.logFile);
  const secrets: { kind: string; value: string }[] = [];
  const tokens = new Set<string>();
  const tokenLengths = new Set<number>();
  const findings: LeakFinding[] = [];
  let moreFindings = 0;
  let lines = 0;
  let bytes = 0;
  const partial: Record<string, string> = {};

  const leaksIn = (line: string): { kind: string; value: string }[] => {
    const found = secrets.filter(({ value }) => line.includes(value));
    if (line.includes('Bearer ')) found.push({ kind: 'a bearer authorization', value: 'Bearer ' });
    for (const [run] of line.matchAll(TOKEN_RUN)) {
      for (const length of tokenLengths) {
        for (let start = 0; start + length <= run.length; start += 1) {
          const candidate = run.slice(start, start + length);
          if (tokens.has(candidate)) found.push({ kind: 'a SigningHub token', value: candidate });
        }
      }
    }
    return found;
  };

  const check = (source: string, line: string, lineNumber: number): LeakFinding[] => {
    const leaks = leaksIn(line);
    if (leaks.length === 0) return [];
    let excerpt = line;
    for (const { kind, value } of leaks) excerpt = excerpt.split(value).join(`<${kind}>`);
    return leaks.map(({ kind }) => ({
      kind: `${kind} in ${source}`,
      lineNumber,
      excerpt: excerpt.slice(0, 300),
    }));
  };

  const keep = (found: readonly LeakFinding[]) => {
    for (const finding of found) {
      if (findings.length < KEEP_FINDINGS) findings.push(finding);
      else moreFindings += 1;
    }
  };

  const consume = (stream: string, text: string) => {
    bytes += Buffer.byteLength(text);
    const pieces = ((partial[stream] ?? '') + text).split('\n');
    partial[stream] = pieces.pop() ?? '';
    for (const line of pieces) {
      lines += 1;
      file?.write(`${line}\n`);
      keep(check('the logs', line, lines));
      options.onLine?.(line);
    }
  };

  const tap = tapOutput(consume, options.passThrough);

  return {
    addSecret: (kind, value) => {
      if (value !== '') secrets.push({ kind, value });
    },
    addToken: (value) => {
      if (value.length < MIN_TOKEN_LENGTH) {
        secrets.push({ kind: 'a SigningHub token', value });
        return;
      }
      tokens.add(value);
      tokenLengths.add(value.length);
    },
    print: (text) => {
      const line = text.endsWith('\n') ? text : `${text}\n`;
      consume('harness', line);
      tap.writeError(line);
    },
    scanText: (source, text) =>
      text.split('\n').flatMap((line, index) => check(source, line, index + 1)),
    stop: () => {
      tap.restore();
      for (const [stream, rest] of Object.entries(partial)) {
        if (rest !== '') consume(stream, '\n');
      }
      file?.end();
      return { lines, bytes, findings: [...findings], moreFindings };
    },
  };
};
