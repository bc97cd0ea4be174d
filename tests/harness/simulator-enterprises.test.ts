import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import {
  ALICE,
  accessToken,
  authenticationForm,
  BOB,
  clientCredentialsForm,
  closeAll,
  credentialsOf,
  finish,
  postAuthenticate,
  postScope,
  start,
  startReceiver,
  tokenFor,
  workflow,
} from './simulator-client.ts';

// Several SigningHub enterprises in one simulator: each under /enterprises/<name> (the default
// one at the root), and nothing of one is another's.

afterEach(closeAll);

const ACME = credentialsOf('acme');
const BETA = credentialsOf('beta');

const startThree = () =>
  start({ enterprises: { acme: { credentials: ACME }, beta: { credentials: BETA } } });

describe('several enterprises', () => {
  it('serves each under its own base path, with its own credentials only', async () => {
    const simulator = await startThree();
    const acme = simulator.enterprise('acme');

    const own = await postAuthenticate(acme, authenticationForm({}, ACME));
    const defaults = await postAuthenticate(acme, authenticationForm());
    const betas = await postAuthenticate(acme, clientCredentialsForm({}, BETA));
    const acmesAtRoot = await postAuthenticate(simulator, authenticationForm({}, ACME));

    expect(simulator.enterprises).toEqual(['default', 'acme', 'beta']);
    expect(acme.name).toBe('acme');
    expect(acme.url).toBe(`${simulator.url}/enterprises/acme`);
    expect(simulator.enterprise('default').url).toBe(simulator.url);
    expect(own.status).toBe(200);
    expect([defaults.status, betas.status, acmesAtRoot.status]).toEqual([400, 400, 400]);
    expect(acme.calls.map((call) => [call.enterprise, call.path, call.status])).toEqual([
      ['acme', '/enterprises/acme/authenticate', 200],
      ['acme', '/enterprises/acme/authenticate', 400],
      ['acme', '/enterprises/acme/authenticate', 400],
    ]);
    expect(simulator.calls.map((call) => [call.enterprise, call.path])).toEqual([
      ['default', '/authenticate'],
    ]);
  });

  it("refuses one enterprise's token at every other, for finish, workflow and the scope call", async () => {
    const simulator = await startThree();
    const hosts = [simulator, simulator.enterprise('acme'), simulator.enterprise('beta')];
    const credentials = [DEFAULT_SIMULATOR_CREDENTIALS, ACME, BETA];
    const tokens = await Promise.all(
      hosts.map(async (host, index) =>
        accessToken(await postAuthenticate(host, clientCredentialsForm({}, credentials[index]))),
      ),
    );

    for (const [hostIndex, host] of hosts.entries()) {
      for (const [tokenIndex, token] of tokens.entries()) {
        const expected = hostIndex === tokenIndex ? 200 : 401;
        expect((await finish(host, 1, token)).status).toBe(expected);
        expect((await workflow(host, 1, token)).status).toBe(expected);
        expect((await postScope(host, token)).status).toBe(expected);
      }
    }
  });

  it('holds different packages under the same id in each enterprise', async () => {
    const simulator = await startThree();
    const acme = simulator.enterprise('acme');
    simulator.createPackage(7, [ALICE]);
    acme.createPackage(7, [BOB]);

    const response = await finish(acme, 7, await tokenFor(acme, BOB, ACME));

    expect(response.status).toBe(200);
    expect(acme.getPackage(7)).toMatchObject({ workflowStatus: 'COMPLETED', finishes: 1 });
    expect(simulator.getPackage(7)).toEqual({
      packageId: 7,
      signers: [{ email: ALICE, processStatus: 'UN_PROCESSED' }],
      workflowStatus: 'IN_PROGRESS',
      finishes: 0,
    });
    expect(simulator.enterprise('beta').getPackage(7)).toBeUndefined();
    expect(acme.count('finish', 7)).toBe(1);
    expect(simulator.count('finish', 7)).toBe(0);
  });

  it("plays an enterprise's scripted answers to that enterprise only", async () => {
    const simulator = await startThree();
    const acme = simulator.enterprise('acme');
    acme.script(8, 'finish', { status: 500 });
    acme.scriptAuthenticate({ status: 503 });

    const atRoot = await finish(simulator, 8, await tokenFor(simulator));
    const refused = await postAuthenticate(acme, authenticationForm({}, ACME));
    const scripted = await finish(acme, 8, await tokenFor(acme, undefined, ACME));

    expect(atRoot.status).toBe(200);
    expect(refused.status).toBe(503);
    expect(scripted.status).toBe(500);
  });

  it("calls back each enterprise's own callback, with its own account as the owner", async () => {
    const atRoot = await startReceiver();
    const forAcme = await startReceiver();
    const simulator = await start({
      callback: { url: atRoot.url, mode: 'query' },
      enterprises: { acme: { credentials: ACME, callback: { url: forAcme.url, mode: 'webhook' } } },
    });
    const acme = simulator.enterprise('acme');
    acme.createPackage(9, [ALICE]);

    await finish(acme, 9, await tokenFor(acme, ALICE, ACME));
    await simulator.callbacksSettled();

    expect(atRoot.requests).toEqual([]);
    expect(forAcme.requests).toHaveLength(1);
    expect(JSON.parse(forAcme.requests[0]?.body ?? '')).toMatchObject({
      package_id: 9,
      package_owner: ACME.username,
    });
    expect(acme.callbacksSent).toEqual([
      { packageId: 9, mode: 'webhook', url: forAcme.url, status: 200 },
    ]);
    expect(simulator.callbacksSent).toEqual([]);
  });

  it('gives an enterprise its own grants, token lifetime and package creation', async () => {
    const simulator = await start({
      tokenTtlSeconds: 600,
      autoCreatePackages: false,
      enterprises: {
        acme: { credentials: ACME, grants: ['client_credentials'] },
        beta: { credentials: BETA, tokenTtlSeconds: 60, autoCreatePackages: true },
      },
    });
    const acme = simulator.enterprise('acme');
    const beta = simulator.enterprise('beta');

    const acmePassword = await postAuthenticate(acme, authenticationForm({}, ACME));
    const acmeAnswer = await postAuthenticate(acme, clientCredentialsForm({}, ACME));
    const betaAnswer = await postAuthenticate(beta, clientCredentialsForm({}, BETA));
    const acmeToken = (await acmeAnswer.json()) as { access_token: string; expires_in: number };
    const betaToken = (await betaAnswer.json()) as { access_token: string; expires_in: number };

    expect(acmePassword.status).toBe(400);
    expect([acmeToken.expires_in, betaToken.expires_in]).toEqual([600, 60]);
    expect((await finish(acme, 12, acmeToken.access_token)).status).toBe(404);
    expect((await finish(beta, 12, betaToken.access_token)).status).toBe(200);
  });

  it('answers 404 at an enterprise the simulator does not run, recorded at the default one', async () => {
    const simulator = await startThree();

    const unknown = await postAuthenticate(
      { url: `${simulator.url}/enterprises/gamma` },
      authenticationForm(),
    );
    const defaultByName = await postAuthenticate(
      { url: `${simulator.url}/enterprises/default` },
      authenticationForm(),
    );

    expect([unknown.status, defaultByName.status]).toEqual([404, 404]);
    expect(simulator.calls.map((call) => [call.operation, call.path])).toEqual([
      ['other', '/enterprises/gamma/authenticate'],
      ['other', '/enterprises/default/authenticate'],
    ]);
  });

  it.each([
    ['a name that is not a tenant id', 'Acme'],
    ['the default name', 'default'],
  ])('refuses to start with %s', async (_case, name) => {
    await expect(start({ enterprises: { [name]: { credentials: ACME } } })).rejects.toThrow(
      'An enterprise needs a tenant id other than default as its name',
    );
  });

  it('refuses to start an enterprise that wants a client certificate without tls', async () => {
    await expect(
      start({
        enterprises: { acme: { credentials: ACME, clientCertificate: { commonName: 'a' } } },
      }),
    ).rejects.toThrow('Enterprise acme wants a client certificate: give tls');
  });

  it('throws for an enterprise it does not run', async () => {
    const simulator = await startThree();

    expect(() => simulator.enterprise('gamma')).toThrow('no enterprise named gamma');
  });

  it("resets every enterprise from the top, and only one from the enterprise's own control", async () => {
    const simulator = await startThree();
    const acme = simulator.enterprise('acme');
    const beta = simulator.enterprise('beta');
    for (const host of [simulator, acme, beta]) host.createPackage(3, [ALICE]);
    const acmeToken = await tokenFor(acme, undefined, ACME);
    const betaToken = await tokenFor(beta, undefined, BETA);
    acme.setDown('unavailable');

    beta.reset();
    const betaAfterOwnReset = await finish(beta, 3, betaToken);
    const acmeAfterBetaReset = acme.getPackage(3);
    simulator.reset();

    expect(betaAfterOwnReset.status).toBe(401);
    expect(acmeAfterBetaReset).toBeDefined();
    expect([simulator.packages, acme.packages, beta.packages]).toEqual([[], [], []]);
    expect(acme.calls).toEqual([]);
    expect((await finish(acme, 3, acmeToken)).status).toBe(401);
    expect((await finish(acme, 3, await tokenFor(acme, undefined, ACME))).status).toBe(200);
  });
});

describe('an enterprise whose host is down', () => {
  it('answers every request 503 while it is down, and the others as usual', async () => {
    const simulator = await startThree();
    const acme = simulator.enterprise('acme');
    const token = await tokenFor(acme, undefined, ACME);

    acme.setDown('unavailable');
    const answers = [
      await postAuthenticate(acme, authenticationForm({}, ACME)),
      await finish(acme, 1, token),
      await workflow(acme, 1, token),
      await postScope(acme, token),
    ];
    const atRoot = await finish(simulator, 1, await tokenFor(simulator));
    acme.setDown(false);
    const back = await finish(acme, 1, token);

    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(await answer.json()).toEqual({ Message: 'The service is unavailable' });
    }
    expect(atRoot.status).toBe(200);
    expect(back.status).toBe(200);
    expect(acme.calls.map((call) => [call.operation, call.status])).toEqual([
      ['authenticate', 200],
      ['authenticate', 503],
      ['finish', 503],
      ['workflow', 503],
      ['scope', 503],
      ['finish', 200],
    ]);
  });

  it('drops every request while it is down that way, before any script', async () => {
    const simulator = await startThree();
    const beta = simulator.enterprise('beta');
    const token = await tokenFor(beta, undefined, BETA);
    beta.script(2, 'finish', { status: 500 });

    beta.setDown('drop');
    await expect(finish(beta, 2, token)).rejects.toThrow();
    await expect(postAuthenticate(beta, authenticationForm({}, BETA))).rejects.toThrow();
    beta.setDown(false);

    expect((await finish(beta, 2, token)).status).toBe(500);
    expect(beta.calls.map((call) => call.status)).toEqual([200, 'drop', 'drop', 500]);
  });
});
