import { describe, expect, it } from 'vitest';
import { completionOutcome } from '../../dev/event-outcome.ts';
import type { PackageReport, SimulatorReport } from '../../ops/package-report.ts';

// What `npm run event` tells after a finish succeeded: only what this event changed.

const ALICE = 'alice@example.com';
const BOB = 'bob@example.com';
const ID = 1001;
type Callback = SimulatorReport['callbacks'][number];

const query200: Callback = { mode: 'query', status: 200, error: null };

/** The package as `status` reports it, in progress with both signers to go unless told. */
const report = (facts: {
  status?: string;
  callbacks?: number;
  events?: number;
  workflow?: string;
  signed?: readonly string[];
  sent?: readonly Callback[];
}): PackageReport => ({
  packageId: ID,
  tenant: 'default',
  package: facts.status
    ? {
        status: facts.status,
        workflowStatus: facts.workflow ?? null,
        callbacks: facts.callbacks ?? 0,
        lastCallbackAt: null,
        completedAt: null,
        updatedAt: '2026-11-28T07:40:12.000Z',
      }
    : null,
  finishes: [],
  events: Array.from({ length: facts.events ?? 0 }, (_, n) => ({
    id: `event-${n}`,
    busName: 'local',
    source: 'signinghub.finish',
    detailType: 'SigningPackageCompleted',
    detail: { packageId: ID, status: 'COMPLETED' },
    at: '2026-11-28T07:40:13.000Z',
  })),
  simulator: {
    workflowStatus: facts.workflow ?? 'IN_PROGRESS',
    signers: [ALICE, BOB].map((email) => ({
      email,
      processStatus: facts.signed?.includes(email) ? 'SIGNED' : 'UN_PROCESSED',
    })),
    callbacks: facts.sent ?? [],
  },
  updatedAt: null,
});

/** Alice has signed: the package is in progress, waiting for Bob. */
const halfway = report({ status: 'IN_PROGRESS', signed: [ALICE] });

/** Both have signed and SigningHub says COMPLETED; the table does not know it yet. */
const allSigned = (sent: readonly Callback[] = [], callbacks = 0) =>
  report({ status: 'IN_PROGRESS', workflow: 'COMPLETED', signed: [ALICE, BOB], sent, callbacks });

/** Final, with one completion event, after the simulator's callbacks `sent`. */
const completedAfter = (sent: readonly Callback[]) =>
  report({
    status: 'COMPLETED',
    workflow: 'COMPLETED',
    callbacks: sent.length,
    events: 1,
    signed: [ALICE, BOB],
    sent,
  });

const completed = completedAfter([query200]);

describe('completionOutcome', () => {
  it('does not claim the callback and completion event of an earlier run as new', () => {
    const outcome = completionOutcome(ID, completed, completed, true);

    expect(outcome).toEqual({
      settled: true,
      line:
        'package 1001 was already COMPLETED before this event: no new callback and no new ' +
        'completion event',
    });
    expect(outcome.line).not.toContain('published');
  });

  it('tells the callback, the confirmation and the completion event this event set going', () => {
    const before = halfway;

    expect(completionOutcome(ID, before, completed, true)).toEqual({
      settled: true,
      line:
        'package 1001: COMPLETED: the simulator called the callback (query → 200), the callback ' +
        'confirmed it with SigningHub, and SigningPackageCompleted was published',
    });
  });

  it('tells the completion event, not the archive’s that came with it or before it is read', () => {
    const archived = {
      id: 'event-archived',
      busName: 'local',
      source: 'signinghub.finish',
      detailType: 'SigningPackageArchived',
      detail: { packageId: ID },
      at: '2026-11-28T07:40:14.000Z',
    };
    const withArchive = { ...completed, events: [...completed.events, archived] };
    const archiveOnly = { ...completed, events: [archived] };

    expect(completionOutcome(ID, halfway, withArchive, true).line).toMatch(
      /, and SigningPackageCompleted was published$/,
    );
    expect(completionOutcome(ID, halfway, archiveOnly, true)).toMatchObject({
      settled: false,
      line: expect.stringContaining('its completion event is not published yet'),
    });
  });

  it('tells a new callback on a package already final, but no new completion event', () => {
    // The package was made again in the simulator, and Alice has signed again.
    const before = report({
      status: 'COMPLETED',
      callbacks: 1,
      events: 1,
      signed: [ALICE],
      sent: [query200],
    });
    const after = completedAfter([query200, { mode: 'webhook', status: 200, error: null }]);

    const outcome = completionOutcome(ID, before, after, true);

    expect(outcome).toEqual({
      settled: true,
      line:
        'package 1001: the simulator called the callback (webhook → 200); the package was ' +
        'already COMPLETED, so no new completion event',
    });
  });

  it('keeps waiting while the callback is unanswered or the completion event unpublished', () => {
    const before = halfway;
    const calling = allSigned([{ mode: 'report', status: null, error: null }]);
    const unpublished = { ...completed, events: [] };
    const notCalledYet = allSigned();

    expect(completionOutcome(ID, before, calling, true)).toMatchObject({
      settled: false,
      line: expect.stringContaining('(report → no answer yet), still waiting'),
    });
    expect(completionOutcome(ID, before, unpublished, true)).toMatchObject({
      settled: false,
      line: expect.stringContaining('its completion event is not published yet'),
    });
    expect(completionOutcome(ID, before, notCalledYet, true)).toMatchObject({
      settled: false,
      line: expect.stringContaining('the simulator has not called the callback yet'),
    });
  });

  it('says who confirms the package when the simulator does not call back', () => {
    const before = halfway;
    const after = allSigned();

    const outcome = completionOutcome(ID, before, after, false);

    expect(outcome.settled).toBe(true);
    expect(outcome.line).toBe(
      "package 1001: all signers finished and SigningHub says COMPLETED; the simulator's " +
        'callbacks are off, so nothing calls back: npm run reconcile -- 1001 confirms the ' +
        'package with SigningHub at once (the reconciler does it on its 15-minute schedule); ' +
        'npm run simulator -- callback query turns callbacks on',
    );
  });

  it('says when the callback refused the call or could not confirm the package', () => {
    const before = halfway;
    const headRefused = 'HEAD probe answered 401; the report was not posted';
    const refused = allSigned([{ mode: 'report', status: 401, error: headRefused }]);
    const unconfirmed = allSigned([query200], 1);

    expect(completionOutcome(ID, before, refused, true)).toEqual({
      settled: true,
      line:
        'package 1001: the simulator called the callback (report → 401), which did not take it ' +
        '(its log is in the npm start terminal); npm run reconcile -- 1001 confirms the package ' +
        'without it',
    });
    // Still followed: the callback's write may be read on the next look.
    expect(completionOutcome(ID, before, unconfirmed, true)).toMatchObject({
      settled: false,
      line: expect.stringContaining(
        'but it is still IN_PROGRESS: the callback could not confirm it',
      ),
    });
  });

  it('names the signers still to finish and the next command, or says nothing more', () => {
    const after = report({ status: 'IN_PROGRESS', signed: [ALICE] });

    expect(completionOutcome(ID, undefined, after, true)).toEqual({
      settled: true,
      line: 'package 1001: 1 signer still to finish (bob@example.com); next: npm run event -- 1001 bob@example.com',
    });
    expect(completionOutcome(ID, undefined, { ...after, simulator: null }, true)).toEqual({
      settled: true,
      line: undefined,
    });
  });

  it('names a tenant’s package as that tenant’s, and gives each command --tenant', () => {
    const acme = (package_: PackageReport): PackageReport => ({ ...package_, tenant: 'acme' });
    const waiting = acme(report({ status: 'IN_PROGRESS', signed: [ALICE] }));
    const refused = acme(allSigned([{ mode: 'query', status: 401, error: null }]));

    expect(completionOutcome(ID, undefined, waiting, true, 'acme').line).toBe(
      'package 1001 of tenant acme: 1 signer still to finish (bob@example.com); next: npm run ' +
        'event -- 1001 bob@example.com --tenant acme',
    );
    expect(completionOutcome(ID, acme(halfway), acme(completed), true, 'acme').line).toBe(
      'package 1001 of tenant acme: COMPLETED: the simulator called the callback (query → 200), ' +
        'the callback confirmed it with SigningHub, and SigningPackageCompleted was published',
    );
    expect(completionOutcome(ID, acme(halfway), acme(allSigned()), false, 'acme').line).toBe(
      "package 1001 of tenant acme: all signers finished and SigningHub says COMPLETED; the simulator's " +
        'callbacks are off, so nothing calls back: npm run reconcile -- 1001 --tenant acme ' +
        'confirms the package with SigningHub at once (the reconciler does it on its 15-minute ' +
        'schedule); npm run simulator -- callback query --tenant acme turns callbacks on',
    );
    expect(completionOutcome(ID, acme(halfway), refused, true, 'acme').line).toContain(
      'npm run reconcile -- 1001 --tenant acme confirms the package without it',
    );
    expect(completionOutcome(ID, acme(completed), acme(completed), true, 'acme').line).toBe(
      'package 1001 of tenant acme was already COMPLETED before this event: no new callback and ' +
        'no new completion event',
    );
  });
});
