import { request } from 'node:https';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import {
  type KeyPair,
  makeTestCertificates,
  type TestCertificates,
} from '../../harness/test-certificates.ts';
import {
  ALICE,
  authenticationForm,
  clientCredentialsForm,
  closeAll,
  credentialsOf,
  postAuthenticate,
  start,
} from './simulator-client.ts';

// The simulator's HTTPS listener: it asks every client for a certificate, verifies it against the
// CA it was given, and an enterprise that wants one serves only requests that present it.

afterEach(closeAll);

const ACME = credentialsOf('acme');
const ACME_CLIENT = 'acme-integration';

let certificates: TestCertificates;
let acmeClient: KeyPair;
let strangerClient: KeyPair;
let forgedClient: KeyPair;

beforeAll(async () => {
  certificates = await makeTestCertificates();
  acmeClient = await certificates.client(ACME_CLIENT);
  strangerClient = await certificates.client('someone-else');
  // The right name, signed by a CA the simulator does not trust.
  forgedClient = await certificates.otherClient(ACME_CLIENT);
});

const startWithTls = () =>
  start({
    tls: {
      cert: certificates.server.cert,
      key: certificates.server.key,
      clientCa: certificates.ca.cert,
    },
    enterprises: {
      acme: { credentials: ACME, clientCertificate: { commonName: ACME_CLIENT } },
    },
  });

interface Answer {
  status: number;
  body: string;
}

/**
 * POST over HTTPS, trusting the test CA, presenting `client` when given. A new connection each
 * time (no agent), so no TLS session of another certificate is reused.
 */
const postOverTls = (url: string, form: URLSearchParams, client?: KeyPair) =>
  new Promise<Answer>((resolve, reject) => {
    const req = request(
      url,
      {
        method: 'POST',
        agent: false,
        ca: certificates.ca.cert,
        ...(client ? { cert: client.cert, key: client.key } : {}),
        headers: { 'content-type': 'application/x-www-form-urlencoded' },
      },
      (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () =>
          resolve({ status: res.statusCode ?? 0, body: Buffer.concat(chunks).toString('utf8') }),
        );
        res.on('error', reject);
      },
    );
    req.on('error', reject);
    req.end(form.toString());
  });

describe('the HTTPS listener', () => {
  it('has no HTTPS URL without tls', async () => {
    const simulator = await start();

    expect(simulator.httpsUrl).toBeUndefined();
  });

  it('serves an enterprise that wants no certificate over HTTP and HTTPS, with a certificate or without', async () => {
    const simulator = await startWithTls();
    const httpsUrl = simulator.httpsUrl ?? '';

    const answers = [
      await postAuthenticate(simulator, authenticationForm()),
      await postOverTls(`${httpsUrl}/authenticate`, authenticationForm()),
      await postOverTls(`${httpsUrl}/authenticate`, clientCredentialsForm(), strangerClient),
    ];

    expect(httpsUrl).toMatch(/^https:\/\/127\.0\.0\.1:\d+$/);
    expect(httpsUrl).not.toBe(simulator.url.replace('http:', 'https:'));
    expect(answers.map((answer) => answer.status)).toEqual([200, 200, 200]);
    expect(simulator.calls.map((call) => call.clientCertificate)).toEqual([
      undefined,
      undefined,
      'someone-else',
    ]);
  });

  it('serves an enterprise that wants a certificate only to a request that presents it', async () => {
    const simulator = await startWithTls();
    const acme = simulator.enterprise('acme');
    const url = `${acme.httpsUrl}/authenticate`;

    const answer = await postOverTls(url, clientCredentialsForm({}, ACME), acmeClient);

    expect(acme.httpsUrl).toBe(`${simulator.httpsUrl}/enterprises/acme`);
    expect(answer.status).toBe(200);
    expect(JSON.parse(answer.body)).toMatchObject({ access_token: expect.any(String) });
    expect(acme.calls).toEqual([
      expect.objectContaining({ operation: 'authenticate', clientCertificate: ACME_CLIENT }),
    ]);
  });

  it('answers 403 without the certificate, with another name, with one from another CA, and over HTTP', async () => {
    const simulator = await startWithTls();
    const acme = simulator.enterprise('acme');
    const url = `${acme.httpsUrl}/authenticate`;
    const form = authenticationForm({ scope: ALICE }, ACME);

    const answers = [
      await postOverTls(url, form),
      await postOverTls(url, form, strangerClient),
      await postOverTls(url, form, forgedClient),
    ];
    const overHttp = await postAuthenticate(acme, form);

    for (const answer of answers) {
      expect(answer.status).toBe(403);
      expect(JSON.parse(answer.body)).toEqual({ Message: 'A client certificate is required' });
    }
    expect(overHttp.status).toBe(403);
    expect(await overHttp.json()).toEqual({ Message: 'A client certificate is required' });
    expect(acme.calls.map((call) => [call.status, call.clientCertificate])).toEqual([
      [403, undefined],
      [403, 'someone-else'],
      [403, undefined],
      [403, undefined],
    ]);
  });

  it("refuses one enterprise's certificate at another on the same host", async () => {
    const BETA = credentialsOf('beta');
    const betaClient = await certificates.client('beta-integration');
    const simulator = await start({
      tls: {
        cert: certificates.server.cert,
        key: certificates.server.key,
        clientCa: certificates.ca.cert,
      },
      enterprises: {
        acme: { credentials: ACME, clientCertificate: { commonName: ACME_CLIENT } },
        beta: { credentials: BETA, clientCertificate: { commonName: 'beta-integration' } },
      },
    });
    const at = (name: string) => `${simulator.enterprise(name).httpsUrl}/authenticate`;

    const answers = [
      await postOverTls(at('acme'), clientCredentialsForm({}, ACME), acmeClient),
      await postOverTls(at('beta'), clientCredentialsForm({}, BETA), acmeClient),
      await postOverTls(at('beta'), clientCredentialsForm({}, BETA), betaClient),
      await postOverTls(at('acme'), clientCredentialsForm({}, ACME), betaClient),
    ];

    expect(answers.map((answer) => answer.status)).toEqual([200, 403, 200, 403]);
  });

  it('refuses before any scripted answer', async () => {
    const simulator = await startWithTls();
    const acme = simulator.enterprise('acme');
    acme.scriptAuthenticate({ status: 500 });

    const refused = await postOverTls(
      `${acme.httpsUrl}/authenticate`,
      clientCredentialsForm({}, ACME),
    );
    const scripted = await postOverTls(
      `${acme.httpsUrl}/authenticate`,
      clientCredentialsForm({}, ACME),
      acmeClient,
    );

    expect([refused.status, scripted.status]).toEqual([403, 500]);
  });

  it('lets the default enterprise want a certificate too', async () => {
    const simulator = await start({
      tls: {
        cert: certificates.server.cert,
        key: certificates.server.key,
        clientCa: certificates.ca.cert,
      },
      clientCertificate: { commonName: ACME_CLIENT },
    });
    const url = `${simulator.httpsUrl}/authenticate`;

    const without = await postOverTls(url, authenticationForm());
    const withIt = await postOverTls(url, authenticationForm(), acmeClient);

    expect([without.status, withIt.status]).toEqual([403, 200]);
  });

  it('stops listening with HTTPS when closed', async () => {
    const simulator = await startWithTls();
    const url = `${simulator.httpsUrl}/authenticate`;

    await simulator.close();

    await expect(postOverTls(url, authenticationForm())).rejects.toMatchObject({
      code: 'ECONNREFUSED',
    });
  });

  it('lists the common name an enterprise wants on the control API', async () => {
    const simulator = await startWithTls();

    const response = await fetch(`${simulator.url}/_simulator/enterprises`);

    expect(await response.json()).toMatchObject({
      enterprises: [
        { name: 'default', clientCertificate: null },
        { name: 'acme', clientCertificate: ACME_CLIENT },
      ],
    });
  });
});
