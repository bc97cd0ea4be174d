import { afterEach, describe, expect, it } from 'vitest';
import {
  type CallbackMode,
  DEFAULT_SIMULATOR_CREDENTIALS,
} from '../../harness/simulator/signinghub-simulator.ts';
import {
  ALICE,
  BOB,
  closeAll,
  finish,
  RECEIVER_SECRET,
  type ReceivedRequest,
  start,
  startReceiver,
  tokenFor,
  workflow,
} from './simulator-client.ts';

// The calls SigningHub makes to the configured callback once a workflow has completed: none signed.

afterEach(closeAll);

const expectations: Record<CallbackMode, (received: ReceivedRequest[], packageId: number) => void> =
  {
    query: (received, packageId) => {
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request?.method).toBe('GET');
      const url = new URL(request?.url ?? '', 'http://receiver');
      expect(url.pathname).toBe(`/signinghub/callback/${RECEIVER_SECRET}`);
      expect(Object.fromEntries(url.searchParams)).toEqual({
        document_id: String(packageId),
        user_email: BOB,
      });
    },
    webhook: (received, packageId) => {
      expect(received).toHaveLength(1);
      const [request] = received;
      expect(request?.method).toBe('POST');
      expect(request?.headers['content-type']).toBe('application/json');
      expect(JSON.parse(request?.body ?? '')).toEqual({
        package_id: packageId,
        package_name: expect.any(String),
        package_owner: expect.any(String),
        package_status: 'COMPLETED',
        uploaded_on: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        modified_on: expect.stringMatching(/^\d{4}-\d\d-\d\dT/),
        document: [],
      });
    },
    report: (received, packageId) => {
      expect(received.map((request) => request.method)).toEqual(['HEAD', 'POST']);
      const post = received[1];
      expect(post?.headers['content-type']).toBe('application/xml');
      expect(post?.body).toContain(`<DocumentID>${packageId}</DocumentID>`);
      expect(post?.body).toMatch(/<WorkflowCompletionReport>.*<\/WorkflowCompletionReport>$/);
    },
  };

describe('completion callbacks', () => {
  for (const mode of ['query', 'webhook', 'report'] as const) {
    it(`completes after both signers finish and calls back once, unsigned, in ${mode} mode`, async () => {
      const receiver = await startReceiver();
      const simulator = await start({ callback: { url: receiver.url, mode } });
      simulator.createPackage(31, [ALICE, BOB]);
      const alice = await tokenFor(simulator, ALICE);
      const bob = await tokenFor(simulator, BOB);

      await finish(simulator, 31, alice);
      await finish(simulator, 31, alice);
      await simulator.callbacksSettled();
      const afterAlice = simulator.getPackage(31)?.workflowStatus;
      const callbacksAfterAlice = receiver.requests.length;
      await finish(simulator, 31, bob);
      await simulator.callbacksSettled();
      const again = await finish(simulator, 31, bob);
      await simulator.callbacksSettled();

      expect(afterAlice).toBe('IN_PROGRESS');
      expect(callbacksAfterAlice).toBe(0);
      expect(again.status).toBe(200);
      expect(simulator.getPackage(31)?.workflowStatus).toBe('COMPLETED');
      expectations[mode](receiver.requests, 31);
      for (const request of receiver.requests) {
        expect(request.headers.authorization).toBeUndefined();
        expect(Object.keys(request.headers).filter((name) => /signature/i.test(name))).toEqual([]);
      }
      expect(simulator.callbacksSent).toEqual([
        { packageId: 31, mode, url: expect.stringContaining(receiver.url), status: 200 },
      ]);
    });
  }

  it('does not post a completion report when the HEAD probe fails', async () => {
    const receiver = await startReceiver((method) => (method === 'HEAD' ? 404 : 200));
    const simulator = await start({ callback: { url: receiver.url, mode: 'report' } });
    simulator.createPackage(32, [ALICE]);

    await finish(simulator, 32, await tokenFor(simulator, ALICE));
    await simulator.callbacksSettled();

    expect(receiver.requests.map((request) => request.method)).toEqual(['HEAD']);
    expect(simulator.callbacksSent[0]).toMatchObject({ status: 404, error: expect.any(String) });
  });

  it('calls nobody back for a workflow declined before its last signer finishes', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ callback: { url: receiver.url, mode: 'webhook' } });
    simulator.createPackage(35, [ALICE]);
    simulator.setWorkflowStatus(35, 'DECLINED');

    await finish(simulator, 35, await tokenFor(simulator, ALICE));
    await simulator.callbacksSettled();

    expect(receiver.requests).toEqual([]);
    expect(simulator.callbacksSent).toEqual([]);
  });

  it('records a callback that cannot be delivered and keeps serving', async () => {
    const receiver = await startReceiver();
    await receiver.close();
    const simulator = await start({ callback: { url: receiver.url, mode: 'webhook' } });
    simulator.createPackage(33, [ALICE]);
    const token = await tokenFor(simulator, ALICE);

    await finish(simulator, 33, token);
    await simulator.callbacksSettled();

    expect(simulator.callbacksSent).toEqual([
      { packageId: 33, mode: 'webhook', url: receiver.url, error: expect.any(String) },
    ]);
    expect((await workflow(simulator, 33, token)).status).toBe(200);
  });

  it('never logs tokens, secrets or the callback path', async () => {
    const receiver = await startReceiver();
    const lines: string[] = [];
    const simulator = await start({
      callback: { url: receiver.url, mode: 'query' },
      log: (line) => lines.push(line),
    });
    simulator.createPackage(34, [ALICE]);
    const token = await tokenFor(simulator, ALICE);

    await finish(simulator, 34, token);
    await simulator.callbacksSettled();

    expect(lines.length).toBeGreaterThan(2);
    const logged = lines.join('\n');
    expect(logged).toContain('/v3/packages/34/finish');
    for (const secret of [
      token,
      DEFAULT_SIMULATOR_CREDENTIALS.password,
      DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
      RECEIVER_SECRET,
    ]) {
      expect(logged).not.toContain(secret);
    }
  });

  it('calls back as set over the control API and lists the calls and callbacks there', async () => {
    const receiver = await startReceiver();
    const simulator = await start();
    simulator.createPackage(43, [ALICE]);

    const setCallback = await fetch(`${simulator.url}/_simulator/callback`, {
      method: 'PUT',
      body: JSON.stringify({ url: receiver.url, mode: 'webhook' }),
    });
    const badMode = await fetch(`${simulator.url}/_simulator/callback`, {
      method: 'PUT',
      body: JSON.stringify({ url: receiver.url, mode: 'carrier-pigeon' }),
    });
    await finish(simulator, 43, await tokenFor(simulator, ALICE));
    await simulator.callbacksSettled();
    const listed = await fetch(`${simulator.url}/_simulator/calls`);

    expect(setCallback.status).toBe(200);
    expect(badMode.status).toBe(400);
    expect(receiver.requests).toHaveLength(1);
    expect(JSON.parse(receiver.requests[0]?.body ?? '')).toMatchObject({ package_id: 43 });
    const body = (await listed.json()) as { calls: unknown[]; callbacksSent: unknown[] };
    expect(body.calls).toMatchObject([
      { operation: 'authenticate', scope: ALICE, status: 200 },
      { operation: 'finish', packageId: 43, tokenScope: ALICE, status: 200 },
    ]);
    expect(body.callbacksSent).toMatchObject([{ packageId: 43, mode: 'webhook', status: 200 }]);
  });

  it('calls nobody back once the callback is switched off over the control API', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ callback: { url: receiver.url, mode: 'query' } });
    simulator.createPackage(44, [ALICE]);

    const off = await fetch(`${simulator.url}/_simulator/callback`, { method: 'PUT' });
    await finish(simulator, 44, await tokenFor(simulator, ALICE));
    await simulator.callbacksSettled();

    expect(await off.json()).toEqual({ callback: null });
    expect(simulator.getPackage(44)?.workflowStatus).toBe('COMPLETED');
    expect(receiver.requests).toEqual([]);
  });

  it('says the mode in force, never the URL with its secret, and null once it is off', async () => {
    const receiver = await startReceiver();
    const simulator = await start({ callback: { url: receiver.url, mode: 'query' } });
    const callback = `${simulator.url}/_simulator/callback`;

    const atStart = await fetch(callback);
    const atStartText = await atStart.text();
    await fetch(callback, {
      method: 'PUT',
      body: JSON.stringify({ url: receiver.url, mode: 'report' }),
    });
    const changed = await (await fetch(callback)).json();
    await fetch(callback, { method: 'PUT' });
    const off = await (await fetch(callback)).json();

    expect(atStart.status).toBe(200);
    expect(JSON.parse(atStartText)).toEqual({ callback: { mode: 'query' } });
    expect(atStartText).not.toContain(RECEIVER_SECRET);
    expect(changed).toEqual({ callback: { mode: 'report' } });
    expect(off).toEqual({ callback: null });
  });
});
