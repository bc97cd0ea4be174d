import type { CountMetric } from '../metrics.ts';

const MESSAGE_KEYS = ['message', 'error_description', 'error'] as const;
const MAX_MESSAGE_LENGTH = 500;

/** SigningHub's error text, whichever way the body spells its key (Message, message, Error, ...). */
export const readErrorMessage = (body: string, status: number): string => {
  const parsed = parseJsonObject(body);
  if (parsed !== undefined) {
    const byLowerKey = new Map<string, unknown>();
    for (const [key, value] of Object.entries(parsed)) byLowerKey.set(key.toLowerCase(), value);
    for (const key of MESSAGE_KEYS) {
      const value = byLowerKey.get(key);
      if (typeof value === 'string' && value.trim() !== '') return clip(value.trim());
    }
  }
  const text = body
    .replace(/<[^>]*>/g, ' ')
    .replace(/\s+/g, ' ')
    .trim();
  return text === '' ? `HTTP ${status} with no message` : clip(text);
};

const clip = (text: string): string =>
  text.length > MAX_MESSAGE_LENGTH ? `${text.slice(0, MAX_MESSAGE_LENGTH)}…` : text;

/** `Retry-After` as milliseconds from now: delta-seconds or an HTTP date; undefined when absent. */
export const retryAfterMs = (header: string | null, now: number): number | undefined => {
  // A blank header is neither digits nor a date: undefined below.
  if (header === null) return undefined;
  const value = header.trim();
  if (/^\d+$/.test(value)) return Number(value) * 1000;
  const date = Date.parse(value);
  return Number.isNaN(date) ? undefined : Math.max(0, date - now);
};

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

/** A JSON object's fields; undefined for anything else (not JSON, an array, a string...). */
export const parseJsonObject = (text: string): Record<string, unknown> | undefined => {
  try {
    const value: unknown = JSON.parse(text);
    return isRecord(value) ? value : undefined;
  } catch {
    return undefined;
  }
};

/** `workflow.workflow_status` of a workflow details answer; undefined when it has none. */
export const workflowStatusOf = (text: string): string | undefined => {
  const workflow = parseJsonObject(text)?.workflow;
  const status = isRecord(workflow) ? workflow.workflow_status : undefined;
  return typeof status === 'string' ? status : undefined;
};

/** A finish request's answer by class; None: no answer (timeout, network) or a redirect. */
export const finishResponseClass = (status: number | undefined): CountMetric =>
  status === undefined
    ? 'FinishResponseNone'
    : status >= 200 && status < 300
      ? 'FinishResponse2xx'
      : status >= 400 && status < 500
        ? 'FinishResponse4xx'
        : status >= 500 && status < 600
          ? 'FinishResponse5xx'
          : 'FinishResponseNone';
