import { afterEach, describe, expect, it } from 'vitest';
import {
  ALICE,
  authenticationForm,
  closeAll,
  control,
  credentialsOf,
  finish,
  postAuthenticate,
  start,
  startReceiver,
  tokenFor,
} from './simulator-client.ts';

// The control API (other processes: npm start, the soak) for one enterprise of several:
// `?enterprise=<name>`, the default one without it.

afterEach(closeAll);

const ACME = credentialsOf('acme');

describe('the control API for several enterprises', () => {
  it('creates, describes and scripts the packages of the enterprise it names', async () => {
    const simulator = await start({ enterprises: { acme: { credentials: ACME } } });
    const acme = simulator.enterprise('acme');
    const base = `${simulator.url}/_simulator`;

    const created = await control(`${base}/packages?enterprise=acme`, 'POST', {
      packageId: 4,
      signers: [ALICE],
    });
    const described = await control(`${base}/packages/4?enterprise=acme`, 'GET');
    const atRoot = await control(`${base}/packages/4`, 'GET');
    const scripted = await control(`${base}/scripts?enterprise=acme`, 'POST', {
      packageId: 4,
      responses: [{ status: 502 }],
    });
    const acmeToken = await tokenFor(acme, ALICE, ACME);
    const failed = await finish(acme, 4, acmeToken);
    const rootFinish = await finish(simulator, 4, await tokenFor(simulator, ALICE));
    const calls = await control(`${base}/calls?enterprise=acme`, 'GET');

    expect(created.status).toBe(201);
    expect(await described.json()).toMatchObject({ packageId: 4, signers: [{ email: ALICE }] });
    expect(atRoot.status).toBe(404);
    expect(scripted.status).toBe(201);
    expect(failed.status).toBe(502);
    expect(rootFinish.status).toBe(200);
    const body = (await calls.json()) as { calls: { enterprise: string; status: number }[] };
    expect(body.calls.map((call) => [call.enterprise, call.status])).toEqual([
      ['acme', 200],
      ['acme', 502],
    ]);
  });

  it("sets one enterprise's callback and no other's", async () => {
    const receiver = await startReceiver();
    const simulator = await start({ enterprises: { acme: { credentials: ACME } } });
    const base = `${simulator.url}/_simulator`;

    const set = await control(`${base}/callback?enterprise=acme`, 'PUT', {
      url: receiver.url,
      mode: 'query',
    });
    const acmeMode = await control(`${base}/callback?enterprise=acme`, 'GET');
    const rootMode = await control(`${base}/callback`, 'GET');

    expect(set.status).toBe(200);
    expect(await acmeMode.json()).toEqual({ callback: { mode: 'query' } });
    expect(await rootMode.json()).toEqual({ callback: null });
  });

  it('takes an enterprise down and brings it back up', async () => {
    const lines: string[] = [];
    const simulator = await start({
      enterprises: { acme: { credentials: ACME } },
      log: (line) => lines.push(line),
    });
    const acme = simulator.enterprise('acme');
    const base = `${simulator.url}/_simulator`;

    const down = await control(`${base}/down?enterprise=acme`, 'PUT', { down: 'unavailable' });
    const whileDown = await postAuthenticate(acme, authenticationForm({}, ACME));
    const rootWhileDown = await postAuthenticate(simulator, authenticationForm());
    const up = await control(`${base}/down?enterprise=acme`, 'PUT', { down: false });
    const afterwards = await postAuthenticate(acme, authenticationForm({}, ACME));
    const wrong = await control(`${base}/down?enterprise=acme`, 'PUT', { down: true });

    expect(down.status).toBe(200);
    expect(await down.json()).toEqual({ enterprise: 'acme', down: 'unavailable' });
    expect(whileDown.status).toBe(503);
    expect(rootWhileDown.status).toBe(200);
    expect(await up.json()).toEqual({ enterprise: 'acme', down: false });
    expect(afterwards.status).toBe(200);
    expect(wrong.status).toBe(400);
    expect(await wrong.json()).toEqual({ Message: 'down must be drop, unavailable or false' });
    expect(lines).toEqual(
      expect.arrayContaining(['acme: host down (unavailable)', 'acme: host up']),
    );
  });

  it('lists the enterprises, their paths and their state, never their credentials', async () => {
    const simulator = await start({ enterprises: { acme: { credentials: ACME } } });
    simulator.enterprise('acme').setDown('drop');

    const response = await control(`${simulator.url}/_simulator/enterprises`, 'GET');

    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      enterprises: [
        { name: 'default', path: '/', clientCertificate: null, down: false },
        { name: 'acme', path: '/enterprises/acme', clientCertificate: null, down: 'drop' },
      ],
    });
    for (const secret of Object.values(ACME)) expect(text).not.toContain(secret);
  });

  it('answers 404 for an enterprise it does not run, and changes nothing', async () => {
    const simulator = await start({ enterprises: { acme: { credentials: ACME } } });

    const response = await control(
      `${simulator.url}/_simulator/packages?enterprise=gamma`,
      'POST',
      {
        packageId: 5,
      },
    );

    expect(response.status).toBe(404);
    expect(await response.json()).toEqual({
      Message: 'The simulator runs no enterprise of that name',
    });
    expect([simulator.packages, simulator.enterprise('acme').packages]).toEqual([[], []]);
  });
});
