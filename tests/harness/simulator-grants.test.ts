import { afterEach, describe, expect, it } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import {
  ALICE,
  accessToken,
  authenticationForm,
  clientCredentialsForm,
  closeAll,
  finish,
  postAuthenticate,
  postScope,
  start,
  tokenFor,
} from './simulator-client.ts';

// The client_credentials grant at POST /authenticate and the signer's token from
// POST /v4/authenticate/scope (SigningHub 7.7.9 and later).

afterEach(closeAll);

describe('POST /authenticate with grant_type=client_credentials', () => {
  it("issues the account's token without a refresh token, and records the grant", async () => {
    const simulator = await start({ tokenTtlSeconds: 3600 });

    const response = await postAuthenticate(simulator, clientCredentialsForm());

    expect(response.status).toBe(200);
    const body = (await response.json()) as { access_token: string };
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
    });
    expect((await finish(simulator, 1, body.access_token)).status).toBe(200);
    expect(simulator.calls.map((call) => [call.grantType, call.scope, call.tokenScope])).toEqual([
      ['client_credentials', '', undefined],
      [undefined, undefined, ''],
    ]);
  });

  it('answers 400 with an error and its description for a wrong client id or client secret', async () => {
    const simulator = await start();

    const wrongId = await postAuthenticate(simulator, clientCredentialsForm({ client_id: 'x' }));
    const wrongSecret = await postAuthenticate(
      simulator,
      clientCredentialsForm({ client_secret: 'wrong-client-secret-42' }),
    );

    for (const response of [wrongId, wrongSecret]) {
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: 'invalid_grant',
        error_description: 'The client id or client secret is not valid.',
      });
      expect(text).not.toContain('wrong-client-secret-42');
    }
  });

  it.each([
    ['username', DEFAULT_SIMULATOR_CREDENTIALS.username],
    ['password', DEFAULT_SIMULATOR_CREDENTIALS.password],
    ['scope', ALICE],
  ])('refuses a grant that also sends %s, as the contract sends none', async (name, value) => {
    const simulator = await start();

    const response = await postAuthenticate(simulator, clientCredentialsForm({ [name]: value }));

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'A client_credentials grant takes no username, password or scope.',
    });
  });

  it('accepts only the grants an enterprise is configured with', async () => {
    const passwordOnly = await start({ grants: ['password'] });
    const clientOnly = await start({ grants: ['client_credentials'] });

    const refusedClient = await postAuthenticate(passwordOnly, clientCredentialsForm());
    const refusedPassword = await postAuthenticate(clientOnly, authenticationForm());

    expect(refusedClient.status).toBe(400);
    expect(await refusedClient.json()).toEqual({
      error: 'invalid_grant',
      error_description: 'The grant type is not supported; use grant_type=password.',
    });
    expect(refusedPassword.status).toBe(400);
    expect(await refusedPassword.json()).toMatchObject({ error: 'invalid_grant' });
    expect((await postAuthenticate(passwordOnly, authenticationForm())).status).toBe(200);
    expect((await postAuthenticate(clientOnly, clientCredentialsForm())).status).toBe(200);
  });

  it('refuses a grant type it does not know, naming both it accepts', async () => {
    const simulator = await start();

    const response = await postAuthenticate(
      simulator,
      clientCredentialsForm({ grant_type: 'authorization_code' }),
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({
      error: 'invalid_grant',
      error_description:
        'The grant type is not supported; use grant_type=password or grant_type=client_credentials.',
    });
  });
});

describe('POST /v4/authenticate/scope', () => {
  const accountToken = async (simulator: Awaited<ReturnType<typeof start>>) =>
    accessToken(await postAuthenticate(simulator, clientCredentialsForm()));

  it('issues a token scoped to the user, answered like an authentication, that finishes as that signer', async () => {
    const simulator = await start({ tokenTtlSeconds: 600 });
    simulator.createPackage(5, [ALICE]);
    const account = await accountToken(simulator);

    const response = await postScope(simulator, account, { user_email: ALICE });
    const body = (await response.json()) as { access_token: string };
    const finished = await finish(simulator, 5, body.access_token);

    expect(response.status).toBe(200);
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 600,
    });
    expect(finished.status).toBe(200);
    expect(simulator.getPackage(5)?.signers).toEqual([{ email: ALICE, processStatus: 'SIGNED' }]);
    expect(simulator.count('scope')).toBe(1);
    expect(simulator.calls[1]).toMatchObject({
      operation: 'scope',
      method: 'POST',
      path: '/v4/authenticate/scope',
      scope: ALICE,
      tokenScope: '',
      status: 200,
    });
    expect(simulator.calls[2]).toMatchObject({ operation: 'finish', tokenScope: ALICE });
    const recorded = JSON.stringify(simulator.calls);
    for (const token of [account, body.access_token]) expect(recorded).not.toContain(token);
  });

  it("takes the password grant's account token too", async () => {
    const simulator = await start();

    const response = await postScope(simulator, await tokenFor(simulator));

    expect(response.status).toBe(200);
  });

  it('answers 401 {Message} without a bearer, with an unknown one and with an expired one', async () => {
    const simulator = await start();
    const expiring = await start({ tokenTtlSeconds: 0 });

    const answers = [
      await postScope(simulator, undefined),
      await postScope(simulator, 'not-a-token'),
      await postScope(expiring, await accountToken(expiring)),
    ];

    for (const response of answers) {
      expect(response.status).toBe(401);
      expect(await response.json()).toEqual({ Message: 'Request authorization denied' });
    }
    expect(simulator.calls.map((call) => [call.operation, call.status])).toEqual([
      ['scope', 401],
      ['scope', 401],
    ]);
  });

  it("answers 403 to a signer's token: only the account may switch users", async () => {
    const simulator = await start();

    const response = await postScope(simulator, await tokenFor(simulator, ALICE));

    expect(response.status).toBe(403);
    expect(await response.json()).toEqual({ Message: expect.any(String) });
  });

  it.each([
    ['no user_email', {}],
    ['an empty user_email', { user_email: ' ' }],
    ['a user_email that is not a string', { user_email: 7 }],
    ['a body that is not JSON', 'user_email=alice@example.com'],
    ['a JSON array', [ALICE]],
  ])('answers 400 {Message} to %s', async (_name, body) => {
    const simulator = await start();

    const response = await postScope(simulator, await accountToken(simulator), body);

    expect(response.status).toBe(400);
    expect(await response.json()).toEqual({ Message: 'user_email is required' });
    expect(simulator.count('scope')).toBe(1);
  });

  it('answers 415 to a body not sent as application/json', async () => {
    const simulator = await start();

    const response = await postScope(
      simulator,
      await accountToken(simulator),
      { user_email: ALICE },
      'text/plain',
    );

    expect(response.status).toBe(415);
    expect(await response.json()).toEqual({ Message: expect.any(String) });
  });

  it('is served at v4 only, whatever version the package calls use', async () => {
    const simulator = await start();
    const account = await accountToken(simulator);

    const v3 = await fetch(`${simulator.url}/v3/authenticate/scope`, {
      method: 'POST',
      headers: { authorization: `Bearer ${account}`, 'content-type': 'application/json' },
      body: JSON.stringify({ user_email: ALICE }),
    });

    expect(v3.status).toBe(404);
    expect(simulator.calls.at(-1)?.operation).toBe('other');
  });

  it('plays scripted answers first, then scopes as usual', async () => {
    const simulator = await start();
    const account = await accountToken(simulator);
    simulator.scriptScope({ status: 503 }, { drop: true });

    const unavailable = await postScope(simulator, account);
    const dropped = postScope(simulator, account);
    await expect(dropped).rejects.toThrow();
    const normal = await postScope(simulator, account);

    expect(unavailable.status).toBe(503);
    expect(normal.status).toBe(200);
    expect(simulator.calls.map((call) => call.status)).toEqual([200, 503, 'drop', 200]);
  });
});
