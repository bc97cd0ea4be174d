import { SCRIPTABLE_OPERATIONS } from './scripts.ts';
import type {
  CallbackMode,
  DocumentScript,
  DocumentSettings,
  DownMode,
  ScriptableOperation,
  ScriptedResponse,
} from './types.ts';

// What the control API (control-routes.ts) reads from its JSON bodies.

/** The most answers one request of the control API may queue. */
const MAX_SCRIPTED_RESPONSES = 1000;
const CALLBACK_MODES: readonly string[] = ['query', 'webhook', 'report'];

export const isRecord = (value: unknown): value is Record<string, unknown> =>
  typeof value === 'object' && value !== null && !Array.isArray(value);

export const isPackageId = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value > 0;

export const isCallbackMode = (value: unknown): value is CallbackMode =>
  typeof value === 'string' && CALLBACK_MODES.includes(value);

export const isDownMode = (value: unknown): value is DownMode =>
  value === 'drop' || value === 'unavailable';

export const isScriptableOperation = (value: unknown): value is ScriptableOperation =>
  typeof value === 'string' && (SCRIPTABLE_OPERATIONS as readonly string[]).includes(value);

export const isStringArray = (value: unknown): value is string[] =>
  Array.isArray(value) && value.every((item) => typeof item === 'string');

const isStatus = (value: unknown): value is number =>
  typeof value === 'number' && Number.isInteger(value) && value >= 100 && value <= 599;

/** One answer as the control API takes it; a string says what is wrong with it. */
function readScriptedResponse(value: unknown): ScriptedResponse | string {
  if (!isRecord(value)) return 'each response must be an object';
  if (value.hang === true) return { hang: true };
  if (value.drop === true) return { drop: true };
  if (!isStatus(value.status)) return 'each response needs a status (100-599), hang or drop';
  if (value.cutBody === true) return { status: value.status, cutBody: true };
  const { headers } = value;
  if (
    headers !== undefined &&
    (!isRecord(headers) || !Object.values(headers).every((item) => typeof item === 'string'))
  ) {
    return 'headers must map names to strings';
  }
  return {
    status: value.status,
    ...(value.body === undefined ? {} : { body: value.body }),
    ...(headers === undefined ? {} : { headers: headers as Record<string, string> }),
  };
}

/** The answers a control request queues: 1 to 1000 of them, or a string saying what is wrong. */
export function readScriptedResponses<T = ScriptedResponse>(
  value: unknown,
  readItem: (item: unknown) => T | string = readScriptedResponse as (item: unknown) => T | string,
): T[] | string {
  if (!Array.isArray(value) || value.length === 0 || value.length > MAX_SCRIPTED_RESPONSES) {
    return `responses must be an array of 1 to ${MAX_SCRIPTED_RESPONSES} answers`;
  }
  const responses: T[] = [];
  for (const item of value) {
    const response = readItem(item);
    if (typeof response === 'string') return response;
    responses.push(response);
  }
  return responses;
}

const isByteCount = (value: unknown): value is number =>
  typeof value === 'number' && Number.isSafeInteger(value) && value >= 0;

/** One answer to a document call: a body fault, or an answer as for the other calls. */
export function readDocumentScript(value: unknown): DocumentScript | string {
  if (isRecord(value) && 'cutAfterBytes' in value) {
    if (!isByteCount(value.cutAfterBytes)) return 'cutAfterBytes must be a byte count';
    return { cutAfterBytes: value.cutAfterBytes };
  }
  if (isRecord(value) && 'stallAfterBytes' in value) {
    const { stallAfterBytes, stallMs } = value;
    if (!isByteCount(stallAfterBytes)) return 'stallAfterBytes must be a byte count';
    if (stallMs === undefined || stallMs === null) return { stallAfterBytes };
    if (!isByteCount(stallMs)) return 'stallMs must be a number of milliseconds (none: forever)';
    return { stallAfterBytes, stallMs };
  }
  return readScriptedResponse(value);
}

/** The most documents one package may be given. */
const MAX_DOCUMENTS = 1000;

/** A package's documents as PUT /_simulator/packages/{id}/documents takes them. */
export function readDocumentSettings(value: unknown): DocumentSettings[] | string {
  if (!Array.isArray(value) || value.length > MAX_DOCUMENTS) {
    return `documents must be an array of at most ${MAX_DOCUMENTS} documents`;
  }
  const documents: DocumentSettings[] = [];
  for (const item of value) {
    if (!isRecord(item) || !isPackageId(item.documentId)) {
      return 'each document needs a documentId (a positive integer)';
    }
    const { documentId, name, order, bytes } = item;
    if (documents.some((document) => document.documentId === documentId)) {
      return `document ${documentId} is listed twice`;
    }
    if (name !== undefined && typeof name !== 'string') return 'name must be a string';
    if (order !== undefined && !Number.isSafeInteger(order)) return 'order must be an integer';
    if (bytes !== undefined && !isByteCount(bytes)) return 'bytes must be a byte count';
    documents.push({
      documentId,
      ...(name === undefined ? {} : { name }),
      ...(order === undefined ? {} : { order: order as number }),
      ...(bytes === undefined ? {} : { bytes }),
    });
  }
  return documents;
}
