import { readFile } from 'node:fs/promises';
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import type { PackageRef } from '../lib/store/keys.ts';
import { DEFAULT_TENANT, tenantOf } from '../lib/tenants/tenant-id.ts';
import type { PublishedEvent, StackState } from './stack-state.ts';
import { UserError } from './user-error.ts';

/** The region and keys the local stack's services were started with. */
export const localClientConfig = (state: StackState) => ({
  region: state.region,
  credentials: state.awsCredentials,
});

/** A client for the running stack's DynamoDB Local. */
export const tableClient = (state: StackState): DynamoDBClient =>
  new DynamoDBClient({
    endpoint: state.dynamoDbEndpoint,
    ...localClientConfig(state),
    maxAttempts: 2,
  });

/** Every completion event the stack has published, oldest first. */
export const readPublishedEvents = async (state: StackState): Promise<PublishedEvent[]> => {
  let text: string;
  try {
    text = await readFile(state.eventsFile, 'utf8');
  } catch {
    return [];
  }
  const events: PublishedEvent[] = [];
  for (const line of text.split('\n')) {
    try {
      events.push(JSON.parse(line) as PublishedEvent);
    } catch {
      // An empty line (the last), or one cut short by a crash, is skipped.
    }
  }
  return events;
};

/**
 * The package a completion event is of: its detail's `packageId` and `tenant` (absent: the
 * default tenant's); undefined for an event that names no package, or a malformed tenant.
 */
export const packageRefOfEvent = (event: PublishedEvent): PackageRef | undefined => {
  const detail = event.detail;
  if (typeof detail !== 'object' || detail === null || !('packageId' in detail)) return undefined;
  if (typeof detail.packageId !== 'number') return undefined;
  const tenant = tenantOf('tenant' in detail ? detail.tenant : undefined);
  return tenant === undefined ? undefined : { tenant, packageId: detail.packageId };
};

/**
 * `?enterprise=<tenant>` for the simulator's control API, which runs a tenant's enterprise under
 * the tenant's name (the default tenant's at the root, without the query).
 */
export const enterpriseQuery = (tenant: string): string =>
  tenant === DEFAULT_TENANT ? '' : `?enterprise=${encodeURIComponent(tenant)}`;

/** The simulator's URL, or one line saying why there is none. */
export const requireSimulator = (state: StackState): string => {
  if (state.simulatorUrl) return state.simulatorUrl;
  throw new UserError(
    `npm start drives the SigningHub at ${new URL(state.signingHubUrl).origin}, not the ` +
      'simulator: create packages there (the simulator runs only without SigningHub settings)',
  );
};

/** A JSON request to the simulator's control API. */
export const simulatorRequest = async (
  state: StackState,
  method: string,
  path: string,
  body?: unknown,
): Promise<{ status: number; body: unknown }> => {
  const response = await fetch(`${requireSimulator(state)}${path}`, {
    method,
    headers: body === undefined ? {} : { 'content-type': 'application/json' },
    ...(body === undefined ? {} : { body: JSON.stringify(body) }),
    signal: AbortSignal.timeout(5_000),
  });
  const text = await response.text();
  let parsed: unknown = text;
  try {
    parsed = text === '' ? undefined : JSON.parse(text);
  } catch {
    // Kept as text.
  }
  return { status: response.status, body: parsed };
};
