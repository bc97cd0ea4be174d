import { execFile } from 'node:child_process';
import { mkdtemp, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { makeTestCertificates, type TestCertificates } from '../../../harness/test-certificates.ts';

const run = promisify(execFile);
const TLS_FETCH = new URL('../../../lib/signinghub/tls-fetch.ts', import.meta.url).href;

let certificates: TestCertificates;
let dir: string;

beforeAll(async () => {
  certificates = await makeTestCertificates();
  dir = await mkdtemp(join(tmpdir(), 'extra-ca-'));
});

afterAll(async () => {
  if (dir) await rm(dir, { recursive: true, force: true });
});

/**
 * The `ca` a tenant's agent is given, in a Node process started with NODE_EXTRA_CA_CERTS as an
 * operator may set it on a function (Node reads it only at start): which certificates it holds.
 */
const agentCaIn = async (extraCaPem: string | undefined, tenantCa: string) => {
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH };
  if (extraCaPem !== undefined) {
    env.NODE_EXTRA_CA_CERTS = join(dir, 'extra.pem');
    await writeFile(env.NODE_EXTRA_CA_CERTS, extraCaPem);
  }
  const script = [
    `const { agentOptions } = await import(${JSON.stringify(TLS_FETCH)});`,
    `const given = JSON.parse(process.argv[1]);`,
    `const ca = agentOptions({ certificate: undefined, key: undefined, ca: given.tenant }).ca;`,
    `const norm = (pem) => pem.replace(/\\s/g, '');`,
    `console.log(JSON.stringify({ extra: given.extra !== null && ca.some((c) => norm(c) === norm(given.extra)), tenant: ca.includes(given.tenant), publicRoots: ca.length > 100 }));`,
  ].join('\n');
  const { stdout } = await run(
    process.execPath,
    [
      '--input-type=module',
      '-e',
      script,
      JSON.stringify({ tenant: tenantCa, extra: extraCaPem ?? null }),
    ],
    { env },
  );
  return JSON.parse(stdout) as { extra: boolean; tenant: boolean; publicRoots: boolean };
};

describe('a tenant’s private CA', () => {
  it('adds to the public roots and to the certificates of NODE_EXTRA_CA_CERTS, dropping neither', async () => {
    expect(await agentCaIn(certificates.otherCa.cert, certificates.ca.cert)).toEqual({
      extra: true,
      tenant: true,
      publicRoots: true,
    });
  });

  it('adds to the public roots alone where NODE_EXTRA_CA_CERTS is not set', async () => {
    expect(await agentCaIn(undefined, certificates.ca.cert)).toEqual({
      extra: false,
      tenant: true,
      publicRoots: true,
    });
  });
});
