import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

/** A certificate and its private key, PEM. */
export interface KeyPair {
  readonly cert: string;
  readonly key: string;
}

export interface TestCertificates {
  /** A private certificate authority, made for this run only. */
  readonly ca: KeyPair;
  /** The server's, for 127.0.0.1 and localhost, signed by `ca`. */
  readonly server: KeyPair;
  /** A client certificate signed by `ca`, valid for `days` days (a short one tests the expiry warning). */
  client(commonName: string, days?: number): Promise<KeyPair>;
  /** A second, unrelated authority: what it signs, `ca` never trusts. */
  readonly otherCa: KeyPair;
  /** A client certificate signed by `otherCa`. */
  otherClient(commonName: string): Promise<KeyPair>;
}

/**
 * Makes a CA, a server certificate and client certificates with openssl at run time, in a
 * temporary folder removed before this resolves: no key is ever checked in. EC P-256 keys, so
 * making them takes milliseconds.
 */
export const makeTestCertificates = async (): Promise<TestCertificates> => {
  const dir = await mkdtemp(join(tmpdir(), 'test-certs-'));
  try {
    const ca = await authority(dir, 'ca', 'signinghub-finish test CA');
    const otherCa = await authority(dir, 'other-ca', 'an unrelated test CA');
    const server = await signed(dir, ca, 'server', '127.0.0.1', 30, [
      'subjectAltName=IP:127.0.0.1,DNS:localhost',
      'extendedKeyUsage=serverAuth',
    ]);
    return {
      ca,
      otherCa,
      server,
      client: (commonName, days = 30) => withDir((d) => signed(d, ca, 'client', commonName, days)),
      otherClient: (commonName) => withDir((d) => signed(d, otherCa, 'client', commonName, 30)),
    };
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const withDir = async <T>(use: (dir: string) => Promise<T>): Promise<T> => {
  const dir = await mkdtemp(join(tmpdir(), 'test-certs-'));
  try {
    return await use(dir);
  } finally {
    await rm(dir, { recursive: true, force: true });
  }
};

const newKey = async (dir: string, name: string): Promise<string> => {
  const path = join(dir, `${name}.key`);
  await run('openssl', [
    'genpkey',
    '-algorithm',
    'EC',
    '-pkeyopt',
    'ec_paramgen_curve:P-256',
    '-out',
    path,
  ]);
  return path;
};

const authority = async (dir: string, name: string, commonName: string): Promise<KeyPair> => {
  const keyPath = await newKey(dir, name);
  const certPath = join(dir, `${name}.pem`);
  await run('openssl', [
    'req',
    '-x509',
    '-new',
    '-key',
    keyPath,
    '-days',
    '30',
    '-subj',
    `/CN=${commonName}`,
    '-addext',
    'basicConstraints=critical,CA:TRUE',
    '-addext',
    'keyUsage=critical,keyCertSign,cRLSign',
    '-out',
    certPath,
  ]);
  return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
};

const signed = async (
  dir: string,
  issuer: KeyPair,
  name: string,
  commonName: string,
  days: number,
  extensions: readonly string[] = ['extendedKeyUsage=clientAuth'],
): Promise<KeyPair> => {
  const keyPath = await newKey(dir, name);
  const csrPath = join(dir, `${name}.csr`);
  const certPath = join(dir, `${name}.pem`);
  const issuerCert = join(dir, `${name}-issuer.pem`);
  const issuerKey = join(dir, `${name}-issuer.key`);
  const extPath = join(dir, `${name}.ext`);
  await writeFile(issuerCert, issuer.cert);
  await writeFile(issuerKey, issuer.key, { mode: 0o600 });
  await writeFile(extPath, `${extensions.join('\n')}\n`);
  await run('openssl', [
    'req',
    '-new',
    '-key',
    keyPath,
    '-subj',
    `/CN=${commonName}`,
    '-out',
    csrPath,
  ]);
  await run('openssl', [
    'x509',
    '-req',
    '-in',
    csrPath,
    '-CA',
    issuerCert,
    '-CAkey',
    issuerKey,
    '-CAcreateserial',
    '-days',
    String(days),
    '-extfile',
    extPath,
    '-out',
    certPath,
  ]);
  return { cert: await readFile(certPath, 'utf8'), key: await readFile(keyPath, 'utf8') };
};
