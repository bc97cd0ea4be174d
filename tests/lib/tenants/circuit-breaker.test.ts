import { describe, expect, it } from 'vitest';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
} from '../../../lib/signinghub/errors.ts';
import type { DocumentsPort, FinishPort, WorkflowPort } from '../../../lib/signinghub/ports.ts';
import {
  CircuitOpenError,
  instanceCircuits,
  TenantCircuits,
} from '../../../lib/tenants/circuit-breaker.ts';
import { rejection } from '../../support/rejection.ts';

const networkError = () =>
  new RetryableSigningHubError('finish', { message: 'network error: ECONNREFUSED' });
const serverError = () =>
  new RetryableSigningHubError('finish', { httpStatus: 503, message: 'down' });

/** A SigningHub whose every call answers what the script says next (undefined: success). */
const scripted = () => {
  const script: unknown[] = [];
  let sent = 0;
  const answer = async () => {
    sent += 1;
    const next = script.shift();
    if (next !== undefined) throw next;
  };
  const port: FinishPort & WorkflowPort = {
    finishPackage: answer,
    getWorkflow: async () => {
      await answer();
      return { packageId: 1, workflowStatus: 'COMPLETED' };
    },
  };
  return { port, script, sent: () => sent };
};

const setup = () => {
  let now = 1_000_000;
  const circuits = new TenantCircuits({ failuresToOpen: 3, coolDownMs: 30_000, now: () => now });
  return { circuits, pass: (ms: number) => (now += ms) };
};

const finish = (port: FinishPort) =>
  port.finishPackage(1, {}).then(
    () => 'ok',
    (error: unknown) => error,
  );

describe('TenantCircuits', () => {
  it('opens after a run of transport failures or 5xx, and then refuses without sending', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(networkError(), serverError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(true);
    const refused = await finish(guarded);
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect((refused as CircuitOpenError).retry).toBe('later');
    expect((refused as CircuitOpenError).name).toBe('CircuitOpenError');
    expect((refused as CircuitOpenError).message).toBe(
      "SigningHub finish failed: not sent: tenant acme's SigningHub failed 3 times in a row; trying again after a cool-down",
    );
    expect(hub.sent()).toBe(3);
  });

  it('takes a 500 for a failure of the host, as any 5xx', async () => {
    const { circuits } = setup();
    const hub = scripted();
    const status500 = () =>
      new RetryableSigningHubError('finish', { httpStatus: 500, message: 'error' });
    hub.script.push(status500(), status500(), status500());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (const packageId of [1, 2, 3]) await rejection(guarded.finishPackage(packageId, {}));
    expect(circuits.isOpen('acme')).toBe(true);
  });

  it('does not open on one package’s 5xx alone, however often: that may be the package’s fault', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(serverError(), serverError(), serverError(), serverError(), serverError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 5; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(false);
    // A 5xx for another package of the same tenant: the host fails more than one package.
    hub.script.push(serverError());
    await guarded.finishPackage(2, {}).catch(() => undefined);
    expect(circuits.isOpen('acme')).toBe(true);
  });

  it('opens on one package’s failures when one of them had no answer at all', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(serverError(), serverError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(true);
  });

  it('counts 5xx of different packages, finish and workflow alike, as the host failing', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(serverError(), serverError(), serverError());
    await rejection(circuits.guardWorkflow('acme', hub.port).getWorkflow(7, {}));
    await rejection(circuits.guardFinish('acme', hub.port).finishPackage(7, {}));
    expect(circuits.isOpen('acme')).toBe(false);
    await rejection(circuits.guardFinish('acme', hub.port).finishPackage(8, {}));
    expect(circuits.isOpen('acme')).toBe(true);
  });

  it('keeps each tenant’s circuit its own', async () => {
    const { circuits } = setup();
    const down = scripted();
    down.script.push(networkError(), networkError(), networkError());
    for (let i = 0; i < 3; i += 1) await finish(circuits.guardFinish('down', down.port));
    const up = scripted();
    expect(await finish(circuits.guardFinish('up', up.port))).toBe('ok');
    expect(circuits.isOpen('up')).toBe(false);
    expect(up.sent()).toBe(1);
  });

  it('needs the failures in a row: an answer in between closes the count', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(networkError(), networkError(), undefined, networkError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 5; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(false);
  });

  it.each([
    [
      'a refusal (403)',
      () => new FinalSigningHubError('finish', { httpStatus: 403, message: 'no' }),
    ],
    ['refused credentials', () => new AuthenticationError({ httpStatus: 400, message: 'bad' })],
    ['a 429', () => new RetryableSigningHubError('finish', { httpStatus: 429, message: 'slow' })],
  ])('takes %s as a sign the host is up', async (_what, error) => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(networkError(), networkError(), error(), networkError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 5; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(false);
  });

  it('does not count a request that was never sent (an abort)', async () => {
    const { circuits } = setup();
    const hub = scripted();
    const aborted = () => new SigningHubAbortedError('finish', { message: 'cancelled' });
    hub.script.push(networkError(), networkError(), aborted(), aborted(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 4; i += 1) await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(false);
    await finish(guarded);
    expect(circuits.isOpen('acme')).toBe(true);
  });

  it('lets one probe through after the cool-down: its success closes the circuit', async () => {
    const { circuits, pass } = setup();
    const hub = scripted();
    hub.script.push(networkError(), networkError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    pass(29_999);
    expect(await finish(guarded)).toBeInstanceOf(CircuitOpenError);
    pass(1);
    expect(circuits.isOpen('acme')).toBe(false);
    // The probe and a second call at once: the second waits for the probe's verdict.
    const [probe, other] = await Promise.all([finish(guarded), finish(guarded)]);
    expect(probe).toBe('ok');
    expect(other).toBeInstanceOf(CircuitOpenError);
    expect(await finish(guarded)).toBe('ok');
    expect(hub.sent()).toBe(5);
  });

  it('opens again for a whole cool-down when the probe fails', async () => {
    const { circuits, pass } = setup();
    const hub = scripted();
    hub.script.push(networkError(), networkError(), networkError(), networkError());
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    pass(30_000);
    expect(await finish(guarded)).toBeInstanceOf(RetryableSigningHubError);
    pass(29_999);
    expect(circuits.isOpen('acme')).toBe(true);
    expect(await finish(guarded)).toBeInstanceOf(CircuitOpenError);
    expect(hub.sent()).toBe(4);
    // Past that cool-down, the next call is a probe again.
    pass(1);
    expect(await finish(guarded)).toBe('ok');
    expect(hub.sent()).toBe(5);
  });

  it('lets the next call probe when a probe was never sent (an abort)', async () => {
    const { circuits, pass } = setup();
    const hub = scripted();
    const aborted = new SigningHubAbortedError('finish', { message: 'cancelled' });
    hub.script.push(networkError(), networkError(), networkError(), aborted);
    const guarded = circuits.guardFinish('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    pass(30_000);
    expect(await finish(guarded)).toBe(aborted);
    expect(await finish(guarded)).toBe('ok');
    expect(hub.sent()).toBe(5);
  });

  it('keeps the probe the only request when one sent before the circuit opened ends meanwhile', async () => {
    const { circuits, pass } = setup();
    const hub = scripted();
    const guarded = circuits.guardFinish('acme', hub.port);
    /** A request that ends when the test says, with the answer it is given. */
    const held = () => {
      let end: (answer: unknown) => void = () => {};
      const port: FinishPort = {
        finishPackage: () =>
          new Promise((resolve, reject) => {
            end = (answer) => (answer === undefined ? resolve() : reject(answer));
          }),
      };
      return { sent: finish(circuits.guardFinish('acme', port)), end: (a: unknown) => end(a) };
    };
    const early = held();
    hub.script.push(networkError(), networkError(), networkError());
    for (let i = 0; i < 3; i += 1) await finish(guarded);
    pass(30_000);
    const probe = held();
    early.end(new SigningHubAbortedError('finish', { message: 'cancelled' }));
    await early.sent;
    expect(await finish(guarded)).toBeInstanceOf(CircuitOpenError);
    expect(hub.sent()).toBe(3);
    probe.end(undefined);
    expect(await probe.sent).toBe('ok');
    expect(circuits.isOpen('acme')).toBe(false);
  });

  it('guards the workflow reads the same way, per tenant', async () => {
    const { circuits } = setup();
    const hub = scripted();
    hub.script.push(networkError(), networkError(), networkError());
    const guarded = circuits.guardWorkflow('acme', hub.port);
    for (let i = 0; i < 3; i += 1) await rejection(guarded.getWorkflow(1, {}));
    const refused = await rejection(guarded.getWorkflow(1, {}));
    expect(refused).toBeInstanceOf(CircuitOpenError);
    expect(refused.message).toMatch(/^SigningHub workflow failed: not sent: /);
    expect(hub.sent()).toBe(3);
    // A finish of the same tenant meets the same circuit.
    expect(await finish(circuits.guardFinish('acme', hub.port))).toBeInstanceOf(CircuitOpenError);
  });

  it('guards the documents’ reads and downloads the same way, per tenant', async () => {
    const { circuits } = setup();
    let sent = 0;
    const down = async (): Promise<never> => {
      sent += 1;
      throw networkError();
    };
    const port: DocumentsPort = { getPackageDocuments: down, downloadDocument: down };
    const guarded = circuits.guardDocuments('acme', port);
    await rejection(guarded.getPackageDocuments(1, {}));
    await rejection(guarded.downloadDocument(1, 1, {}));
    await rejection(guarded.downloadDocument(2, 1, {}));
    const download = await rejection(guarded.downloadDocument(3, 1, {}));
    expect(download).toBeInstanceOf(CircuitOpenError);
    expect(download.message).toMatch(/^SigningHub document failed: not sent: /);
    const documents = await rejection(guarded.getPackageDocuments(3, {}));
    expect(documents).toBeInstanceOf(CircuitOpenError);
    expect(documents.message).toMatch(/^SigningHub workflow failed: not sent: /);
    expect(sent).toBe(3);
  });
});

describe('instanceCircuits', () => {
  it('keeps circuits only where tenants are configured', () => {
    expect(instanceCircuits(undefined)).toBeUndefined();
    expect(instanceCircuits('signinghub-finish/prod/tenants/')).toBeInstanceOf(TenantCircuits);
  });
});
