import { readdirSync, readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { Ajv2020, type ErrorObject } from 'ajv/dist/2020.js';

/** The JSON Schemas of the stack's events: one `<detail-type>.schema.json` each, and their common parts. */
export const CATALOGUE_DIR = fileURLToPath(new URL('../docs/events/', import.meta.url));
/** The schema the event schemas share (the envelope, the package id, the tenant...): not an event. */
export const COMMON_SCHEMA = 'common.schema.json';
/** The source of every event the stack sends: the catalogue has a schema for each of them. */
export const STACK_SOURCE = 'signinghub.finish';

const SCHEMA_FILE = /^(?<detailType>[A-Za-z]+)\.schema\.json$/;

type Schema = Record<string, unknown>;

export interface CatalogueFiles {
  readonly common: Schema;
  /** Each event's schema, by detail-type, in the order of their file names. */
  readonly events: ReadonlyMap<string, Schema>;
}

const readSchema = (dir: string, file: string): Schema =>
  JSON.parse(readFileSync(`${dir}/${file}`, 'utf8')) as Schema;

/** The catalogue's schemas as they are in the folder. */
export const readCatalogue = (dir = CATALOGUE_DIR): CatalogueFiles => {
  const events = new Map<string, Schema>();
  for (const file of readdirSync(dir).sort()) {
    const detailType = SCHEMA_FILE.exec(file)?.groups?.detailType;
    if (file !== COMMON_SCHEMA && detailType !== undefined) {
      events.set(detailType, readSchema(dir, file));
    }
  }
  return { common: readSchema(dir, COMMON_SCHEMA), events };
};

/** What a PutEvents entry holds (the SDK's PutEventsRequestEntry, or the API's JSON). */
export interface PutEventsEntry {
  readonly Source?: string | undefined;
  readonly DetailType?: string | undefined;
  readonly Detail?: string | undefined;
  readonly Resources?: readonly string[] | undefined;
  readonly Time?: Date | string | number | undefined;
}

/** What EventBridge adds when it delivers an entry to a rule's target. */
export interface DeliveryEnvelope {
  readonly id: string;
  readonly account: string;
  readonly region: string;
  /** When EventBridge took the entry (its `Time` wins when the entry names one). */
  readonly time: Date;
}

/** EventBridge's envelope time: UTC to the second, as a rule's target sees it. */
const envelopeTime = (time: Date): string => `${time.toISOString().slice(0, 19)}Z`;

/**
 * The event a PutEvents entry becomes at a rule's target, as EventBridge delivers it. Throws
 * when `Detail` is not JSON (EventBridge refuses such an entry).
 */
export const deliveredEvent = (entry: PutEventsEntry, envelope: DeliveryEnvelope): Schema => ({
  version: '0',
  id: envelope.id,
  'detail-type': entry.DetailType ?? '',
  source: entry.Source ?? '',
  account: envelope.account,
  time: envelopeTime(entry.Time === undefined ? envelope.time : new Date(entry.Time)),
  region: envelope.region,
  resources: [...(entry.Resources ?? [])],
  detail: JSON.parse(entry.Detail ?? 'null') as unknown,
});

const describe = (error: ErrorObject): string => {
  const where = error.instancePath === '' ? 'the event' : error.instancePath;
  const named = Object.entries(error.params)
    .filter(([key]) => key === 'additionalProperty' || key === 'allowedValue')
    .map(([, value]) => JSON.stringify(value));
  return `${where} ${error.message ?? error.keyword}${named.length ? ` (${named.join(', ')})` : ''}`;
};

/** RFC 3339's date-time (the schemas' pattern says the shape; this also refuses a 13th month). */
const isDateTime = (value: string): boolean => !Number.isNaN(Date.parse(value));

export interface EventCatalogue {
  /** The detail-types the catalogue has a schema for. */
  readonly detailTypes: readonly string[];
  /**
   * Where an event, as delivered to a rule's target, breaks its detail-type's schema (or the
   * schema of `detailType` when given): empty when it matches; a detail-type without a schema
   * is one violation.
   */
  violations(event: unknown, detailType?: string): string[];
}

/** The catalogue's schemas compiled with ajv (draft 2020-12, every error, strict schemas). */
export const loadEventCatalogue = (dir = CATALOGUE_DIR): EventCatalogue => {
  const { common, events } = readCatalogue(dir);
  const ajv = new Ajv2020({ allErrors: true, strict: true });
  ajv.addFormat('date-time', { type: 'string', validate: isDateTime });
  ajv.addSchema(common);
  const validators = new Map([...events].map(([type, schema]) => [type, ajv.compile(schema)]));
  return {
    detailTypes: [...validators.keys()],
    violations: (event, named) => {
      const detailType =
        named ??
        (typeof event === 'object' && event !== null && 'detail-type' in event
          ? event['detail-type']
          : undefined);
      const validate = typeof detailType === 'string' ? validators.get(detailType) : undefined;
      if (!validate) {
        return [`no schema in docs/events/ for detail-type ${JSON.stringify(detailType)}`];
      }
      return validate(event) ? [] : (validate.errors ?? []).map(describe);
    },
  };
};
