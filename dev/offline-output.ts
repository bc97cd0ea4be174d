const NOISE: ReadonlySet<string> = new Set([
  'level',
  'message',
  'timestamp',
  'service',
  'cold_start',
  'function_arn',
  'function_memory_size',
  'function_name',
  'function_request_id',
  'sampling_rate',
  'xray_trace_id',
]);

const FUNCTION_PREFIX =
  /^signinghub-finish-[a-z0-9-]+?-(finish|callback|reconcile|publish|archive)$/;
const REPORT = /^\(λ: ([\w-]+)\) RequestId: \S+\s+Duration: ([\d.]+) ms/;
const REQUEST = /^(GET|HEAD|POST|PUT|DELETE|PATCH|OPTIONS) (\S+) \(λ: ([\w-]+)\)/;

// Built from its code so the pattern holds no literal control character.
const ANSI_ESCAPE = new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g');

const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

const shown = (value: unknown): string => {
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > 200 ? `${text.slice(0, 199)}…` : text;
};

const functionOf = (name: unknown): string => {
  if (typeof name !== 'string') return 'function';
  return FUNCTION_PREFIX.exec(name)?.[1] ?? name;
};

/**
 * A function's log line as one readable line (Powertools JSON made short); undefined to skip
 * (blank lines, frames, metrics records: offline.log keeps them all).
 */
export const formatOfflineLine = (line: string): string | undefined => {
  const text = line.replace(ANSI_ESCAPE, '').trim();
  if (text === '' || /^[│┌└─\s]+$/.test(text)) return undefined;
  if (text.startsWith('{')) {
    let parsed: unknown;
    try {
      parsed = JSON.parse(text);
    } catch {
      parsed = undefined;
    }
    // A metrics record (CloudWatch's embedded metric format): for CloudWatch, not for reading.
    if (isRecord(parsed) && '_aws' in parsed) return undefined;
    if (isRecord(parsed) && typeof parsed.message === 'string') {
      const fields = Object.entries(parsed)
        .filter(([key]) => !NOISE.has(key))
        .map(([key, value]) => `${key}=${shown(value)}`)
        .join(' ');
      const level = typeof parsed.level === 'string' ? parsed.level : 'INFO';
      return `  [${functionOf(parsed.function_name)}] ${level.padEnd(5)} ${parsed.message}${fields ? `  ${fields}` : ''}`;
    }
  }
  const report = REPORT.exec(text);
  if (report) return `  [${report[1]}] done in ${Math.round(Number(report[2]))} ms`;
  const request = REQUEST.exec(text);
  if (request) return `  [${request[3]}] ${request[1]} ${request[2]}`;
  return `  [offline] ${text}`;
};

/** Replaces every secret in a line; the callback path and credentials must never be shown. */
export const maskSecrets = (secrets: readonly string[]) => {
  const values = secrets.filter((secret) => secret.length >= 4);
  return (line: string): string =>
    values.reduce((masked, secret) => masked.split(secret).join('****'), line);
};
