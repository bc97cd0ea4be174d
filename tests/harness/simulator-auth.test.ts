import { afterEach, describe, expect, it } from 'vitest';
import {
  DEFAULT_SIMULATOR_CREDENTIALS,
  type SimulatorCredentials,
} from '../../harness/simulator/signinghub-simulator.ts';
import {
  ALICE,
  authenticationForm,
  closeAll,
  finish,
  postAuthenticate,
  start,
  tokenFor,
  workflow,
} from './simulator-client.ts';

// SigningHub's POST {base}/authenticate (password grant) and the bearer tokens it issues.

afterEach(closeAll);

describe('POST /authenticate', () => {
  it('answers a valid password grant with a bearer token of the configured lifetime and a refresh token', async () => {
    const simulator = await start({ tokenTtlSeconds: 3600 });

    const response = await postAuthenticate(simulator, authenticationForm());

    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^application\/json/);
    const body = (await response.json()) as Record<string, unknown>;
    expect(body).toEqual({
      access_token: expect.any(String),
      token_type: 'bearer',
      expires_in: 3600,
      refresh_token: expect.any(String),
    });
    expect(body.access_token).not.toBe(await tokenFor(simulator));
    expect(simulator.calls[0]).toMatchObject({ operation: 'authenticate', status: 200, scope: '' });
  });

  it('issues tokens only at /authenticate, without a version prefix', async () => {
    const simulator = await start();

    const versioned = await fetch(`${simulator.url}/v4/authenticate`, {
      method: 'POST',
      body: authenticationForm(),
    });

    expect(versioned.status).toBe(404);
    expect(await versioned.json()).toEqual({ Message: 'Not found' });
    expect(simulator.calls.map((call) => call.operation)).toEqual(['other']);
  });

  it('answers 400 invalid_grant for a wrong password without echoing it', async () => {
    const simulator = await start();

    const response = await postAuthenticate(
      simulator,
      authenticationForm({ password: 'wrong-password-42' }),
    );

    expect(response.status).toBe(400);
    const text = await response.text();
    expect(JSON.parse(text)).toEqual({
      error: 'invalid_grant',
      error_description: expect.any(String),
    });
    expect(text).not.toContain('wrong-password-42');
  });

  it('answers 400 with an error and its description for a wrong client id or client secret', async () => {
    const simulator = await start();

    const wrongId = await postAuthenticate(simulator, authenticationForm({ client_id: 'other' }));
    const wrongSecret = await postAuthenticate(
      simulator,
      authenticationForm({ client_secret: 'wrong-client-secret-42' }),
    );

    for (const response of [wrongId, wrongSecret]) {
      expect(response.status).toBe(400);
      const text = await response.text();
      expect(JSON.parse(text)).toEqual({
        error: expect.any(String),
        error_description: expect.any(String),
      });
      expect(text).not.toContain('wrong-client-secret-42');
    }
  });

  it('answers 400 invalid_grant for an unsupported grant type', async () => {
    const simulator = await start();

    const response = await postAuthenticate(
      simulator,
      authenticationForm({ grant_type: 'client_credentials' }),
    );

    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({ error: 'invalid_grant' });
  });

  it('accepts only the credentials it was started with', async () => {
    // Every one of the four differs from the defaults.
    const credentials: SimulatorCredentials = { ...DEFAULT_SIMULATOR_CREDENTIALS };
    for (const name of Object.keys(credentials) as (keyof SimulatorCredentials)[]) {
      credentials[name] = `x${credentials[name]}`;
    }
    const simulator = await start({ credentials });

    const withDefaults = await postAuthenticate(simulator, authenticationForm());
    const withCustom = await postAuthenticate(simulator, authenticationForm({}, credentials));

    expect(withDefaults.status).toBe(400);
    expect(withCustom.status).toBe(200);
  });

  it('answers 403 with x-otp and x-mobile-number headers when the account needs a one-time password', async () => {
    const simulator = await start({ otpRequired: true });

    const response = await postAuthenticate(simulator, authenticationForm());

    expect(response.status).toBe(403);
    expect(response.headers.get('x-otp')).toBe('true');
    expect(response.headers.get('x-mobile-number')).toBe('******1234');
    expect(await response.json()).toEqual({
      error: expect.any(String),
      error_description: expect.any(String),
    });
  });

  it('refuses new tokens once the account needs a one-time password, while issued tokens still work', async () => {
    const simulator = await start();
    const issued = await tokenFor(simulator);

    simulator.setOtpRequired(true);
    const refused = await postAuthenticate(simulator, authenticationForm());

    expect(refused.status).toBe(403);
    expect(refused.headers.get('x-otp')).toBe('true');
    expect((await finish(simulator, 1, issued)).status).toBe(200);
  });

  it('is back to issuing tokens after a reset, as the next test expects of it', async () => {
    const simulator = await start();
    simulator.setOtpRequired(true);
    simulator.reset();
    expect((await postAuthenticate(simulator, authenticationForm())).status).toBe(200);
  });

  it('issues a token for the signer named in scope, and a finish with it acts for that signer', async () => {
    const simulator = await start();

    const token = await tokenFor(simulator, ALICE);
    await finish(simulator, 10, token);

    expect(simulator.calls.map((call) => [call.operation, call.scope, call.tokenScope])).toEqual([
      ['authenticate', ALICE, undefined],
      ['finish', undefined, ALICE],
    ]);
  });

  it('answers a scripted outage with its status and body, then issues tokens again', async () => {
    const simulator = await start();
    simulator.scriptAuthenticate({ status: 503, body: { error: 'unavailable' } });

    const scripted = await postAuthenticate(simulator, authenticationForm());
    const normal = await postAuthenticate(simulator, authenticationForm());

    expect(scripted.status).toBe(503);
    expect(await scripted.json()).toEqual({ error: 'unavailable' });
    expect(normal.status).toBe(200);
    expect(simulator.calls.map((call) => call.status)).toEqual([503, 200]);
  });
});

describe('bearer tokens on the API', () => {
  it('answers 401 Request authorization denied without a token and with an unknown token', async () => {
    const simulator = await start();

    const withoutToken = await finish(simulator, 1);
    const unknownToken = await finish(simulator, 1, 'not-a-token');
    const workflowWithoutToken = await workflow(simulator, 1);

    expect(withoutToken.status).toBe(401);
    expect(await withoutToken.json()).toEqual({ Message: 'Request authorization denied' });
    expect(unknownToken.status).toBe(401);
    expect(await unknownToken.json()).toEqual({ Message: 'Request authorization denied' });
    expect(workflowWithoutToken.status).toBe(401);
    expect(simulator.calls.map((call) => call.status)).toEqual([401, 401, 401]);
  });

  it('answers 401 for revoked tokens and accepts tokens issued afterwards', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator);
    expect((await finish(simulator, 1, token)).status).toBe(200);

    simulator.revokeTokens();

    expect((await finish(simulator, 1, token)).status).toBe(401);
    expect((await workflow(simulator, 1, token)).status).toBe(401);
    expect((await finish(simulator, 1, await tokenFor(simulator))).status).toBe(200);
  });

  it('answers 401 once a token has expired', async () => {
    const simulator = await start({ tokenTtlSeconds: 0 });
    const token = await tokenFor(simulator);

    const response = await finish(simulator, 1, token);

    expect(response.status).toBe(401);
    expect(await response.json()).toEqual({ Message: 'Request authorization denied' });
  });

  it('keeps tokens, passwords and client secrets out of the recorded calls', async () => {
    const simulator = await start();
    const token = await tokenFor(simulator, ALICE);

    await finish(simulator, 1, token);
    await finish(simulator, 1, `${token}-tampered`);

    const recorded = JSON.stringify(simulator.calls);
    expect(simulator.calls.at(-1)?.headers.authorization).toBe('Bearer <redacted>');
    for (const secret of [
      token,
      DEFAULT_SIMULATOR_CREDENTIALS.password,
      DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
    ]) {
      expect(recorded).not.toContain(secret);
    }
  });
});
