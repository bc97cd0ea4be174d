import { afterEach, describe, expect, it } from 'vitest';
import { ALICE, closeAll, control, finish, start, tokenFor, workflow } from './simulator-client.ts';

// The control API other processes (the npm start commands) script the simulator's answers with.

afterEach(closeAll);

describe('scripted answers over the control API', () => {
  it('queues finish answers for a package, plays them in order, then answers as usual', async () => {
    const simulator = await start();
    simulator.createPackage(61, [ALICE]);
    const scripts = `${simulator.url}/_simulator/scripts`;

    const first = await control(scripts, 'POST', {
      packageId: 61,
      responses: [{ status: 500, body: { Message: 'scripted' } }],
    });
    const second = await control(scripts, 'POST', {
      packageId: 61,
      operation: 'finish',
      responses: [{ status: 429, headers: { 'Retry-After': '3' } }, { status: 403 }],
    });
    const token = await tokenFor(simulator, ALICE);
    const answers = [];
    for (let i = 0; i < 4; i += 1) answers.push(await finish(simulator, 61, token));

    expect(first.status).toBe(201);
    expect(await first.json()).toEqual({ packageId: 61, operation: 'finish', queued: 1 });
    expect(await second.json()).toEqual({ packageId: 61, operation: 'finish', queued: 3 });
    expect(answers.map((answer) => answer.status)).toEqual([500, 429, 403, 200]);
    expect(await answers[0]?.json()).toEqual({ Message: 'scripted' });
    expect(answers[1]?.headers.get('retry-after')).toBe('3');
    expect(simulator.getPackage(61)).toMatchObject({ workflowStatus: 'COMPLETED', finishes: 1 });
  });

  it('scripts a hang, a dropped connection and a workflow answer', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);
    const scripted = await control(`${simulator.url}/_simulator/scripts`, 'POST', {
      packageId: 62,
      responses: [{ hang: true }, { drop: true }],
    });
    const onWorkflow = await control(`${simulator.url}/_simulator/scripts`, 'POST', {
      packageId: 62,
      operation: 'workflow',
      responses: [{ status: 503 }],
    });

    const hanging = fetch(`${simulator.url}/v3/packages/62/finish`, {
      method: 'POST',
      headers: { authorization: `Bearer ${token}` },
      signal: AbortSignal.timeout(300),
    });
    await expect(hanging).rejects.toMatchObject({ name: 'TimeoutError' });
    await expect(finish(simulator, 62, token)).rejects.toThrow();
    const details = await workflow(simulator, 62, token);

    expect(scripted.status).toBe(201);
    expect(onWorkflow.status).toBe(201);
    expect(details.status).toBe(503);
    expect(simulator.calls.map((call) => call.status)).toEqual([200, 'hang', 'drop', 503]);
    expect((await finish(simulator, 62, token)).status).toBe(200);
  });

  it.each([
    [{ responses: [{ status: 500 }] }, 'packageId must be a positive integer'],
    [{ packageId: 0, responses: [{ status: 500 }] }, 'packageId must be a positive integer'],
    [
      { packageId: 1, operation: 'authenticate', responses: [{ status: 500 }] },
      'operation must be finish, workflow or document',
    ],
    [{ packageId: 1 }, 'responses must be an array of 1 to 1000 answers'],
    [{ packageId: 1, responses: [] }, 'responses must be an array of 1 to 1000 answers'],
    [{ packageId: 1, responses: ['500'] }, 'each response must be an object'],
    [
      { packageId: 1, responses: [{ status: 200 }, { status: 600 }] },
      'each response needs a status (100-599), hang or drop',
    ],
    [
      { packageId: 1, responses: [{ status: 429, headers: { 'Retry-After': 3 } }] },
      'headers must map names to strings',
    ],
  ])('refuses %j and queues nothing', async (body, message) => {
    const simulator = await start();

    const refused = await control(`${simulator.url}/_simulator/scripts`, 'POST', body);

    expect(refused.status).toBe(400);
    expect(await refused.json()).toEqual({ Message: message });
    expect((await finish(simulator, 1, await tokenFor(simulator))).status).toBe(200);
  });

  it("removes a package's queued answers, for finish and workflow, and no other's", async () => {
    const simulator = await start();
    simulator.script(63, 'finish', { status: 500 }, { status: 500 });
    simulator.script(63, 'workflow', { status: 500 });
    simulator.script(64, 'finish', { status: 502 });
    const token = await tokenFor(simulator);

    const removed = await control(`${simulator.url}/_simulator/scripts/63`, 'DELETE');
    const again = await control(`${simulator.url}/_simulator/scripts/63`, 'DELETE');
    const badId = await control(`${simulator.url}/_simulator/scripts/x`, 'DELETE');

    expect(await removed.json()).toEqual({ packageId: 63, removed: 3 });
    expect(await again.json()).toEqual({ packageId: 63, removed: 0 });
    expect(badId.status).toBe(400);
    expect((await finish(simulator, 63, token)).status).toBe(200);
    expect((await workflow(simulator, 63, token)).status).toBe(200);
    expect((await finish(simulator, 64, token)).status).toBe(502);
  });
});
