import { writeFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { InvariantRow } from './invariant-row.ts';
import { formatSoakReport } from './report.ts';
import { runSoak, type SoakResult } from './soak.ts';
import { DEFAULT_SOAK_OPTIONS } from './soak-options.ts';

/**
 * The soak of `npm run soak`, small enough for every test run: a few hundred events with the
 * same faults, the DynamoDB Local restart, four tenants with acme's host down for a while, and
 * the same invariants. The visibility timeout is shorter than the function's (harsher than AWS
 * allows) so redeliveries and dead letters come within the minute. No baseline run: it would
 * double the time, and nothing here is timed; `npm run soak` compares the healthy tenants' times.
 * The archive of the sixty-odd completed packages rides along (its function gets 8 s, its queue's
 * visibility timeout is 10 s, a fifth of its events come twice); every kind of archive fault the
 * full run has is placed at least once, so its invariants are tested on each.
 */
let result: SoakResult;

beforeAll(async () => {
  result = await runSoak({
    ...DEFAULT_SOAK_OPTIONS,
    seed: 5,
    events: 300,
    instances: 3,
    outagePackages: 1,
    hostileCallbacks: 10,
    lambdaTimeoutMs: 20_000,
    visibilityTimeoutMs: 4_000,
    handBackCeilingMs: 20_000,
    reconcileAfterSeconds: 1,
    reconcileEveryMs: 2_000,
    callbackMaxDelayMs: 500,
    tokenRevocations: [0.4],
    restartDynamoDbAt: 0.1,
    eventBridgeRefusals: [0.3],
    eventsPerSecond: 15,
    tenantOutage: { tenant: 'acme', at: 0.2, forMs: 8_000 },
    unknownTenantEvents: 2,
    lateAnswersAtLeast: 3,
    logFile: process.env.SOAK_LOG_FILE,
    archive: {
      ...DEFAULT_SOAK_OPTIONS.archive,
      instances: 3,
      lambdaTimeoutMs: 8_000,
      visibilityTimeoutMs: 10_000,
      duplicateRate: 0.2,
      concurrentDuplicateShare: 0.4,
    },
  });
}, 300_000);

// SOAK_REPORT_FILE=<path> keeps the run's report (its figures and invariants) there, and
// SOAK_LOG_FILE=<path> every log line of the run.
afterAll(async () => {
  const file = process.env.SOAK_REPORT_FILE;
  if (file !== undefined && result !== undefined) await writeFile(file, formatSoakReport(result));
});

const invariant = (name: string): InvariantRow => {
  const found = result.invariants.find((row) => row.invariant === name);
  if (!found) throw new Error(`the soak checked no invariant named "${name}"`);
  return found;
};

const expectHolds = (name: string) => {
  const row = invariant(name);
  expect(row.ok, `${row.invariant}: ${row.observed}\n${row.examples.join('\n')}`).toBe(true);
};

describe('soak: a few hundred signing events under faults, restarts and hostile callbacks', () => {
  it('went through the faults it is meant to survive', () => {
    const { figures } = result;
    expect(figures.dynamoDbOutageMs, formatSoakReport(result)).toBeGreaterThan(0);
    expect(figures.dynamoDbStoppedOnServerError).toBe(true);
    expect(figures.tokenRevocations).toBe(1);
    expect(figures.queue.redeliveries).toBeGreaterThan(0);
    expect(figures.queue.deadLettered).toBeGreaterThan(0);
    expect(figures.mapping.concurrentDeliveries).toBeGreaterThan(0);
    expect(figures.finishByStatus['401']).toBeGreaterThan(0);
    expect(figures.callbacks.lostInTransit).toBeGreaterThan(0);
    expect(figures.callbacks.hostile).toBe(10);
    expect(figures.eventBridgeRefusals).toBeGreaterThan(0);
    expect(figures.faultsScripted.lateAnswersServed).toBeGreaterThan(0);
  });

  it('took acme’s host down for a while and handed its messages back for longer meanwhile', () => {
    const { figures } = result;
    expect(figures.tenantOutage, formatSoakReport(result)).toMatchObject({ tenant: 'acme' });
    expect(figures.tenantOutage?.durationMs).toBeGreaterThanOrEqual(8_000);
    expect(figures.queue.visibilityChanges).toBeGreaterThan(0);
  });

  it('served every tenant: each grant, the client certificate, events settled for each', () => {
    expect(
      result.figures.tenants.map(({ name, grant, clientCertificate }) => ({
        name,
        grant,
        clientCertificate,
      })),
    ).toEqual([
      { name: 'default', grant: 'password', clientCertificate: false },
      { name: 'acme', grant: 'password', clientCertificate: false },
      { name: 'beta', grant: 'client_credentials', clientCertificate: false },
      { name: 'secure', grant: 'client_credentials', clientCertificate: true },
    ]);
    for (const tenant of result.figures.tenants) {
      expect(tenant.requests, tenant.name).toBeGreaterThan(0);
      expect(tenant.latency?.settled, tenant.name).toBeGreaterThan(0);
    }
  });

  it('sends nothing to another tenant’s host', () => {
    expectHolds('nothing sent to another tenant’s host');
  });

  it('keeps every item under its own tenant’s key', () => {
    expectHolds('no item of one tenant under another’s key');
  });

  it('dead-letters only for a reason the run put there', () => {
    expectHolds('every dead-lettered message has a reason');
  });

  it('accounts for every event: succeeded, failed for good, rejected or dead-lettered', () => {
    expectHolds('every event accounted for');
  });

  it('sends no finish for a (package, signer) once SigningHub answer has reached the function', () => {
    expectHolds('no finish request after SigningHub answer reached the function');
  });

  it("records SigningHub's answer on every finish item", () => {
    expectHolds("SigningHub's answer recorded on its finish item");
  });

  it('counts every finish request SigningHub received in the item attempts', () => {
    expectHolds('attempts on each finish item = finish requests sent (SigningHub saw no more)');
  });

  it('never overwrites a final status', () => {
    expectHolds('no final status overwritten');
  });

  it('publishes exactly one completion event per final package', () => {
    expectHolds('exactly one completion event per final package');
  });

  it("makes a package final only on SigningHub's workflow answer, never a callback's words", () => {
    expectHolds('every final package confirmed by a workflow answer before it became final');
  });

  it('brings every package SigningHub finished to its final status, lost callbacks included', () => {
    expectHolds("SigningHub's final word reached every package item");
  });

  it('answers 5xx only while DynamoDB is away and refuses every hostile callback', () => {
    expectHolds('valid answers: no 5xx but during the DynamoDB outage, hostile requests refused');
  });

  it('prints no secret, password or token in any log line', () => {
    expectHolds('no secret, password or token in any log line');
    expect(result.figures.logLines).toBeGreaterThan(100);
  });

  it('puts no secret in callback answers or stored items', () => {
    expectHolds('no secret in callback answers or stored items');
  });
});

describe('soak: the archive of every completed package, under faults and repeated deliveries', () => {
  it('went through the archive faults it is meant to survive', () => {
    const { archive } = result.figures;
    const report = formatSoakReport(result);
    expect(archive.multipartDocuments, report).toBeGreaterThan(0);
    expect(archive.documentRequests['503'], report).toBeGreaterThan(0);
    expect(archive.documentRequests['403'], report).toBeGreaterThan(0);
    expect(archive.documentRequests['404'], report).toBeGreaterThan(0);
    expect((archive.bodies.abandoned ?? 0) + (archive.bodies.cut ?? 0), report).toBeGreaterThan(1);
    expect(archive.handedBack, report).toBeGreaterThan(0);
    expect(archive.resumed, report).toBeGreaterThan(0);
    expect(archive.routing.duplicates, report).toBeGreaterThan(0);
    expect(archive.queue.redeliveries, report).toBeGreaterThan(0);
    expect(archive.s3Requests.CompleteMultipartUpload, report).toBeGreaterThan(0);
    expect(archive.documentsPerSecond, report).toBeGreaterThan(0);
  });

  it('archives every COMPLETED package exactly once, or fails it for a reason the run put there', () => {
    expectHolds(
      'every COMPLETED package ARCHIVED exactly once, or FAILED for a reason the run put there',
    );
  });

  it('stores every document with the generator’s SHA-256 and size, as its item records', () => {
    expectHolds("every stored document's SHA-256 and size are the generator's and its item's");
  });

  it('downloads no recorded document again, each as its package’s owner', () => {
    expectHolds('no document downloaded again once recorded; each read as its package’s owner');
  });

  it('archives nothing of a package that did not complete', () => {
    expectHolds('no DECLINED, DELETED or unfinished package archived');
  });

  it('stores objects only at <tenant>/<packageId>/<documentId>.pdf', () => {
    expectHolds('no object outside <tenant>/<packageId>/<documentId>.pdf');
  });

  it('dead-letters archive requests only for a reason the run put there', () => {
    expectHolds('every archive dead letter has a reason, and is archived once redriven');
  });
});
