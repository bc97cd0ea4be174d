import { connect } from 'node:net';
import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  MAX_BODY_BYTES,
} from '../../harness/simulator/signinghub-simulator.ts';
import {
  ALICE,
  BOB,
  closeAll,
  finish,
  start,
  tokenFor,
  WORKFLOW_STATUSES,
  workflow,
} from './simulator-client.ts';

// SigningHub's POST /{v3|v4}/packages/{id}/finish and GET /{v3|v4}/packages/{id}/workflow.

afterEach(closeAll);

describe('finish', () => {
  it('answers 200 with an empty body and records the call with the token redacted', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const response = await finish(simulator, 1234, token);

    expect(response.status).toBe(200);
    expect(await response.text()).toBe('');
    const call = simulator.calls.at(-1);
    expect(call).toMatchObject({
      operation: 'finish',
      packageId: 1234,
      tokenScope: '',
      status: 200,
      bodyLength: 0,
    });
    expect(call?.headers).toMatchObject({
      authorization: 'Bearer <redacted>',
      accept: 'application/json',
      'content-type': 'application/json',
    });
    expect(JSON.stringify(simulator.calls)).not.toContain(token);
  });

  it('answers finish and workflow under both the v3 and the v4 prefix', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const answers = [
      await finish(simulator, 6, token, 'v3'),
      await finish(simulator, 6, token, 'v4'),
      await workflow(simulator, 6, token, 'v3'),
      await workflow(simulator, 6, token, 'v4'),
    ];

    expect(answers.map((response) => response.status)).toEqual([200, 200, 200, 200]);
    expect(simulator.getPackage(6)?.finishes).toBe(2);
  });

  it('marks only the scoped signer as signed and leaves signers alone for other tokens', async () => {
    const simulator = await start();
    simulator.createPackage(3, [ALICE, BOB]);

    await finish(simulator, 3, await tokenFor(simulator));
    await finish(simulator, 3, await tokenFor(simulator, 'mallory@example.com'));
    const afterOthers = simulator.getPackage(3);
    const response = await finish(simulator, 3, await tokenFor(simulator, 'Alice@Example.com'));

    expect(afterOthers?.signers.map((signer) => signer.processStatus)).toEqual([
      'UN_PROCESSED',
      'UN_PROCESSED',
    ]);
    expect(response.status).toBe(200);
    expect(simulator.getPackage(3)).toEqual({
      packageId: 3,
      signers: [
        { email: ALICE, processStatus: 'SIGNED' },
        { email: BOB, processStatus: 'UN_PROCESSED' },
      ],
      workflowStatus: 'IN_PROGRESS',
      finishes: 3,
    });
  });

  it('answers 404 Document not found for a deleted package, on finish and workflow', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);
    simulator.createPackage(55, [ALICE]);
    expect((await finish(simulator, 55, token)).status).toBe(200);

    simulator.deletePackage(55);
    const finished = await finish(simulator, 55, token);
    const details = await workflow(simulator, 55, token);

    expect(finished.status).toBe(404);
    expect(await finished.json()).toEqual({ Message: 'Document not found' });
    expect(details.status).toBe(404);
    expect(await details.json()).toEqual({ Message: 'Document not found' });
    expect(simulator.getPackage(55)).toBeUndefined();
  });

  it('answers 404 Document not found for an unknown package when packages are not created on first use', async () => {
    const simulator = await start({ autoCreatePackages: false });
    const token = await tokenFor(simulator);
    simulator.createPackage(2, []);

    const unknown = await finish(simulator, 1, token);
    const unknownWorkflow = await workflow(simulator, 1, token);

    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toEqual({ Message: 'Document not found' });
    expect(unknownWorkflow.status).toBe(404);
    expect((await finish(simulator, 2, token)).status).toBe(200);
  });

  it('treats an unknown package as one in progress with no listed signers, by default', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const finished = await finish(simulator, 77, token);
    const details = await workflow(simulator, 77, token);

    expect(finished.status).toBe(200);
    expect(await details.json()).toMatchObject({
      package_id: 77,
      workflow: { workflow_status: 'IN_PROGRESS' },
      users: [],
    });
    expect(simulator.getPackage(77)).toEqual({
      packageId: 77,
      signers: [],
      workflowStatus: 'IN_PROGRESS',
      finishes: 1,
    });
  });

  it('answers 400 for a non-numeric package id and 404 for any other path', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const badId = await finish(simulator, 'abc', token);
    const unknownPath = await fetch(`${simulator.url}/v3/documents/1`);
    const wrongVersion = await fetch(`${simulator.url}/v9/packages/1/finish`, { method: 'POST' });

    expect(badId.status).toBe(400);
    expect(await badId.json()).toEqual({ Message: expect.any(String) });
    expect(unknownPath.status).toBe(404);
    expect(await unknownPath.json()).toEqual({ Message: 'Not found' });
    expect(wrongVersion.status).toBe(404);
    expect(simulator.count('other')).toBe(2);
  });
});

describe('workflow', () => {
  it('describes the package, its workflow and its signers', async () => {
    const simulator = await start();
    simulator.createPackage(21, [ALICE, BOB]);
    await finish(simulator, 21, await tokenFor(simulator, ALICE));

    const response = await workflow(simulator, 21, await tokenFor(simulator));

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    expect(await response.json()).toEqual({
      package_id: 21,
      package_name: expect.any(String),
      package_status: expect.any(String),
      workflow: {
        workflow_status: 'IN_PROGRESS',
        workflow_type: 'SERIAL',
        continue_on_decline: false,
      },
      package_owner: DEFAULT_SIMULATOR_CREDENTIALS.username,
      users: [
        { user_email: ALICE, user_name: 'alice', process_status: 'SIGNED' },
        { user_email: BOB, user_name: 'bob', process_status: 'UN_PROCESSED' },
      ],
      documents: [
        {
          document_id: 1,
          document_name: 'package-21.pdf',
          document_order: 1,
          document_type: 'PDF',
        },
      ],
    });
  });

  it('reads COMPLETED, every signer SIGNED, once the last signer has finished', async () => {
    const simulator = await start();
    simulator.createPackage(23, [ALICE, BOB]);
    const account = await tokenFor(simulator);
    const statuses: unknown[] = [];
    const readStatus = async () => {
      const body = (await (await workflow(simulator, 23, account)).json()) as {
        workflow: { workflow_status: string };
      };
      statuses.push(body.workflow.workflow_status);
      return body;
    };

    await readStatus();
    await finish(simulator, 23, await tokenFor(simulator, BOB));
    await readStatus();
    await finish(simulator, 23, await tokenFor(simulator, ALICE));
    const done = await readStatus();

    expect(statuses).toEqual(['IN_PROGRESS', 'IN_PROGRESS', 'COMPLETED']);
    expect(done).toMatchObject({
      package_status: 'COMPLETED',
      users: [{ process_status: 'SIGNED' }, { process_status: 'SIGNED' }],
    });
    for (const status of statuses) expect(WORKFLOW_STATUSES).toContain(status);
  });

  it('reports a declined workflow as DECLINED, and it stays so when the remaining signers finish', async () => {
    const simulator = await start();
    simulator.createPackage(22, [ALICE]);
    simulator.setWorkflowStatus(22, 'DECLINED');

    const declined = await workflow(simulator, 22, await tokenFor(simulator));
    await finish(simulator, 22, await tokenFor(simulator, ALICE));
    const afterFinish = await workflow(simulator, 22, await tokenFor(simulator));

    expect(await declined.json()).toMatchObject({ workflow: { workflow_status: 'DECLINED' } });
    expect(await afterFinish.json()).toMatchObject({
      package_status: 'DECLINED',
      workflow: { workflow_status: 'DECLINED' },
      users: [{ user_email: ALICE, process_status: 'SIGNED' }],
    });
  });

  it('describes a package created over the control API, which records no SigningHub call', async () => {
    const simulator = await start();

    const created = await fetch(`${simulator.url}/_simulator/packages`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ packageId: 41, signers: [ALICE] }),
    });
    const read = await fetch(`${simulator.url}/_simulator/packages/41`);
    const missing = await fetch(`${simulator.url}/_simulator/packages/42`);
    const callsByControl = simulator.calls.length;
    const details = await workflow(simulator, 41, await tokenFor(simulator));

    const expected = {
      packageId: 41,
      signers: [{ email: ALICE, processStatus: 'UN_PROCESSED' }],
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
    };
    expect(created.status).toBe(201);
    expect(await created.json()).toEqual(expected);
    expect(read.status).toBe(200);
    expect(await read.json()).toEqual(expected);
    expect(missing.status).toBe(404);
    expect(callsByControl).toBe(0);
    expect(await details.json()).toMatchObject({
      package_id: 41,
      users: [{ user_email: ALICE, process_status: 'UN_PROCESSED' }],
    });
  });
});

describe('scripted faults', () => {
  it('answers scripted 500 and 429 with Retry-After in order, then behaves normally', async () => {
    const simulator = await start();
    simulator.createPackage(7, [ALICE]);
    const internalError = 'An internal server error occurred while processing the request';
    simulator.script(
      7,
      'finish',
      { status: 500, body: { Message: internalError } },
      { status: 429, headers: { 'Retry-After': '2' }, body: { Message: 'Too many requests' } },
    );
    const token = await tokenFor(simulator, ALICE);

    const first = await finish(simulator, 7, token);
    const second = await finish(simulator, 7, token);
    const afterScripted = simulator.getPackage(7);
    const third = await finish(simulator, 7, token);

    expect(first.status).toBe(500);
    expect(await first.json()).toEqual({ Message: internalError });
    expect(second.status).toBe(429);
    expect(second.headers.get('retry-after')).toBe('2');
    expect(afterScripted).toMatchObject({
      finishes: 0,
      signers: [{ processStatus: 'UN_PROCESSED' }],
    });
    expect(third.status).toBe(200);
    expect(simulator.getPackage(7)?.workflowStatus).toBe('COMPLETED');
    expect(
      simulator.calls.filter((call) => call.operation === 'finish').map((c) => c.status),
    ).toEqual([500, 429, 200]);
  });

  it('answers a scripted 403 for its package and operation only, even without a token', async () => {
    const simulator = await start();
    const accessEnded = 'You cannot access this document after the access period ends';
    simulator.script(8, 'finish', { status: 403, body: { Message: 'Account is disabled' } });
    simulator.script(9, 'workflow', { status: 403, body: { Message: accessEnded } });

    const otherPackage = await finish(simulator, 9);
    const scriptedPackage = await finish(simulator, 8);
    const workflowOfScripted = await workflow(simulator, 8);
    const scriptedWorkflow = await workflow(simulator, 9);

    expect(otherPackage.status).toBe(401);
    expect(scriptedPackage.status).toBe(403);
    expect(await scriptedPackage.json()).toEqual({ Message: 'Account is disabled' });
    expect(workflowOfScripted.status).toBe(401);
    expect(scriptedWorkflow.status).toBe(403);
    expect(await scriptedWorkflow.json()).toEqual({ Message: accessEnded });
  });
});

describe('transport faults', () => {
  it('keeps a scripted hang open until the client gives up and still closes promptly', async () => {
    const simulator = await start();
    simulator.script(4, 'finish', { hang: true });
    const token = await tokenFor(simulator);

    const hanging = fetch(`${simulator.url}/v3/packages/4/finish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(200),
    });

    await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
    expect(simulator.calls.at(-1)).toMatchObject({ operation: 'finish', status: 'hang' });
    // A hung request never ends by itself: close() waiting for it would time the test out.
    await simulator.close();
  });

  it('ends a hung request when the simulator closes before the client gives up', async () => {
    const simulator = await start();
    simulator.script(4, 'workflow', { hang: true });
    const hanging = workflow(simulator, 4);
    await expect.poll(() => simulator.count('workflow', 4)).toBe(1);

    await simulator.close();

    await expect(hanging).rejects.toThrow();
  });

  it('drops the connection without an answer for a scripted drop, and the finish is not done', async () => {
    const simulator = await start();
    simulator.script(5, 'finish', { drop: true });
    const token = await tokenFor(simulator);

    await expect(finish(simulator, 5, token)).rejects.toThrow();
    const next = await finish(simulator, 5, token);

    expect(next.status).toBe(200);
    expect(
      simulator.calls.filter((call) => call.operation === 'finish').map((c) => c.status),
    ).toEqual(['drop', 200]);
    expect(simulator.getPackage(5)?.finishes).toBe(1);
  });

  it('sends the status line and headers of a scripted cut body, then cuts the body off', async () => {
    const simulator = await start();
    simulator.script(12, 'finish', { status: 200, cutBody: true });
    const token = await tokenFor(simulator);

    const response = await finish(simulator, 12, token);

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('application/json');
    expect(response.headers.get('content-length')).toBe('64');
    await expect(response.text()).rejects.toThrow();
    expect(simulator.calls.at(-1)).toMatchObject({ operation: 'finish', status: 200 });
    expect(simulator.getPackage(12)).toBeUndefined();
  });

  it('answers 413 to a body over 1 MiB and keeps serving', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);

    const response = await fetch(`${simulator.url}/v3/packages/1/finish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      body: Buffer.alloc(MAX_BODY_BYTES + 1, 'a'),
    });

    expect(response.status).toBe(413);
    expect(simulator.calls.at(-1)).toMatchObject({ status: 413, bodyLength: MAX_BODY_BYTES + 1 });
    expect(simulator.getPackage(1)).toBeUndefined();
    expect((await finish(simulator, 1, token)).status).toBe(200);
  });

  it('answers 404 to a request target that is not a URL and keeps serving', async () => {
    const simulator = await start();
    const { port } = new URL(simulator.url);

    const raw = await new Promise<string>((resolve, reject) => {
      const socket = connect(Number(port), '127.0.0.1', () => {
        socket.write('GET http://[::1 HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n');
      });
      let received = '';
      socket.on('data', (chunk: Buffer) => {
        received += chunk.toString('utf8');
      });
      socket.on('close', () => resolve(received));
      socket.on('error', reject);
    });

    expect(raw).toMatch(/^HTTP\/1\.1 404/);
    expect(simulator.count('other')).toBe(1);
    expect((await tokenFor(simulator)).length).toBeGreaterThan(0);
  });
});
