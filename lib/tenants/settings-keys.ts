import { createPrivateKey, X509Certificate } from 'node:crypto';
import type { SigningHubCredentials } from '../config.ts';
import type { ClientTls, Grant, GrantType } from '../signinghub/access.ts';
import { CREDENTIAL_NAMES, collectGrant, isGrantType } from './grant-fields.ts';

/*
 * The keys of a secret's JSON that say how to reach a SigningHub: the grant and the TLS material,
 * read alike from the default tenant's credentials secret and from a tenant's secret. Every problem
 * names the key and never quotes its value: these are secrets.
 */

/** A key of a secret's JSON that is missing or wrong; `detail` follows the secret's name. */
export class KeyProblem extends Error {
  override name = 'KeyProblem';
  readonly keys: readonly string[];
  /** ` lacks the keys a, b` or `: key must be …`, never a value. */
  readonly detail: string;

  constructor(keys: readonly string[], detail: string) {
    super(detail);
    this.keys = keys;
    this.detail = detail;
  }
}

export type JsonRecord = Readonly<Record<string, unknown>>;

/** The record `text` holds, or a KeyProblem naming no key (the text may be anything). */
export const jsonRecordOf = (text: string): JsonRecord => {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new KeyProblem([], ' is not JSON');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw new KeyProblem([], ' is not a JSON object');
  }
  return json as JsonRecord;
};

/** The key's string; undefined when absent, null or empty; a problem when of another type. */
export const stringKey = (record: JsonRecord, key: string): string | undefined => {
  const value = record[key];
  if (value === undefined || value === null || value === '') return undefined;
  if (typeof value !== 'string') throw new KeyProblem([key], `: ${key} must be a string`);
  return value;
};

export const lacking = (keys: readonly string[]): KeyProblem =>
  new KeyProblem(keys, ` lacks the keys ${keys.join(', ')}`);

/**
 * The grant the record gives: of `type` when given (SIGNINGHUB_GRANT_TYPE), else of its own
 * `grant_type`, else `password`; `partial` (variables that are set) in place of its keys.
 * `missing`: the keys the grant needs that neither gave.
 */
export const grantFromKeys = (
  record: JsonRecord,
  type: GrantType | undefined,
  partial: Partial<SigningHubCredentials> = {},
): { readonly grant: Grant } | { readonly missing: readonly string[] } => {
  const ownType = stringKey(record, 'grant_type');
  if (type === undefined && ownType !== undefined && !isGrantType(ownType)) {
    throw new KeyProblem(['grant_type'], ': grant_type must be password or client_credentials');
  }
  const { missing, grant } = collectGrant(type ?? (ownType as GrantType) ?? 'password', (field) =>
    partial[field] === undefined || partial[field] === ''
      ? stringKey(record, CREDENTIAL_NAMES[field].secretKey)
      : partial[field],
  );
  return grant ? { grant } : { missing: missing.map((field) => CREDENTIAL_NAMES[field].secretKey) };
};

const PEM_CERTIFICATE = /-----BEGIN CERTIFICATE-----[\s\S]*?-----END CERTIFICATE-----/g;

/** Each certificate of a PEM bundle, parsed; a problem naming `key` when there is none or one is bad. */
const certificatesOf = (key: string, pem: string): X509Certificate[] => {
  const blocks = pem.match(PEM_CERTIFICATE) ?? [];
  try {
    if (blocks.length > 0) return blocks.map((block) => new X509Certificate(block));
  } catch {
    // Said below: OpenSSL's own words are of no use to the operator.
  }
  throw new KeyProblem([key], `: ${key} must hold PEM certificates`);
};

/**
 * The TLS material the record gives: `client_certificate` and `client_key` (both or neither; the
 * key must be the certificate's), `ca_certificate`; undefined when it gives none.
 */
export const tlsFromKeys = (record: JsonRecord): ClientTls | undefined => {
  const certificate = stringKey(record, 'client_certificate');
  const key = stringKey(record, 'client_key');
  const ca = stringKey(record, 'ca_certificate');
  if ((certificate === undefined) !== (key === undefined)) {
    const [given, absent] = certificate
      ? ['client_certificate', 'client_key']
      : ['client_key', 'client_certificate'];
    throw new KeyProblem([absent], `: ${absent} is required with ${given}`);
  }
  if (certificate !== undefined && key !== undefined) {
    const [leaf] = certificatesOf('client_certificate', certificate);
    let privateKey: ReturnType<typeof createPrivateKey>;
    try {
      privateKey = createPrivateKey(key);
    } catch {
      throw new KeyProblem(['client_key'], ': client_key must be an unencrypted PEM private key');
    }
    if (!leaf?.checkPrivateKey(privateKey)) {
      throw new KeyProblem(['client_key'], ': client_key is not the key of client_certificate');
    }
  }
  if (ca !== undefined) certificatesOf('ca_certificate', ca);
  return certificate === undefined && ca === undefined ? undefined : { certificate, key, ca };
};

/** When the client certificate (the first of `tls.certificate`) stops being valid; undefined: none. */
export const certificateExpiry = (tls: ClientTls | undefined): Date | undefined => {
  const [block] = tls?.certificate?.match(PEM_CERTIFICATE) ?? [];
  return block === undefined ? undefined : new X509Certificate(block).validToDate;
};
