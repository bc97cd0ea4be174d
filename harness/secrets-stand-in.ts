import { randomBytes, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { type Listener, listen } from './simulator/listeners.ts';
import { BodyTooLargeError, readBody } from './simulator/request-body.ts';

/*
 * Secrets Manager on 127.0.0.1, from memory, for `npm start`: its functions read a tenant's
 * settings through the AWS SDK, as deployed, with AWS_ENDPOINT_URL_SECRETS_MANAGER pointing here.
 * Why a stand-in and not moto: moto is a Python install that users may not have (the tests use it;
 * `npm start` must run with Node alone), and the functions and the operator commands ask Secrets
 * Manager for one thing only, GetSecretValue by name and staging label. PutSecretValue is here so
 * that a secret can change while the stack runs, as a rotation changes it: the new version is
 * AWSCURRENT, the one before AWSPREVIOUS.
 *
 * The wire is the AWS JSON 1.1 protocol the SDK's SecretsManagerClient speaks: POST / with
 * `X-Amz-Target: secretsmanager.<Operation>` and a JSON body; an error is an HTTP 400 with
 * `{"__type": "<Exception>", "message": …}`. Requests are not signature-checked: nothing here is
 * real, and no secret of a real account can be here.
 */

const STAGES = ['AWSCURRENT', 'AWSPREVIOUS'] as const;
type Stage = (typeof STAGES)[number];

/** A region and account that say they are made up. */
const ARN_PREFIX = 'arn:aws:secretsmanager:local:000000000000:secret:';
const CONTENT_TYPE = 'application/x-amz-json-1.1';

interface Version {
  readonly id: string;
  readonly text: string;
  readonly createdSeconds: number;
  stages: Stage[];
}

interface Secret {
  readonly name: string;
  readonly arn: string;
  readonly versions: Version[];
}

export interface SecretsStandInOptions {
  /** 0 (the default) picks a free port; the host is always 127.0.0.1. */
  readonly port?: number;
  /** The secrets there at the start, by name: each one version, AWSCURRENT. */
  readonly secrets?: Readonly<Record<string, string>>;
  /** One line per request: the operation, the secret's name and the answer, never a value. */
  readonly log?: (line: string) => void;
}

export interface SecretsStandIn {
  /** http://127.0.0.1:PORT: give it to the functions as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  /** A new version of the secret (made when there is none): AWSCURRENT; the one before, AWSPREVIOUS. */
  put(name: string, text: string): string;
  /** The names of the secrets held, in the order they were made. */
  names(): string[];
  close(): Promise<void>;
}

class ServiceError extends Error {
  readonly type: string;

  constructor(type: string, message: string) {
    super(message);
    this.type = type;
  }
}

const notFound = (message: string) => new ServiceError('ResourceNotFoundException', message);
const invalid = (message: string) => new ServiceError('InvalidParameterException', message);

/** The versions of every secret, moved between staging labels as Secrets Manager moves them. */
class SecretStore {
  readonly #secrets = new Map<string, Secret>();

  names(): string[] {
    return [...this.#secrets.keys()];
  }

  /** By name or by ARN, as Secrets Manager finds a SecretId. */
  find(secretId: string): Secret {
    const secret =
      this.#secrets.get(secretId) ??
      [...this.#secrets.values()].find((candidate) => candidate.arn === secretId);
    if (!secret) throw notFound("Secrets Manager can't find the specified secret.");
    return secret;
  }

  put(name: string, text: string, versionId: string = randomUUID()): Version {
    let secret = this.#secrets.get(name);
    if (!secret) {
      // Secrets Manager's ARN ends in a dash and six random characters.
      const suffix = randomBytes(3).toString('hex');
      secret = { name, arn: `${ARN_PREFIX}${name}-${suffix}`, versions: [] };
      this.#secrets.set(name, secret);
    }
    const same = secret.versions.find((version) => version.id === versionId);
    if (same) {
      if (same.text !== text) {
        throw new ServiceError(
          'ResourceExistsException',
          'A version with this ClientRequestToken already exists with another value.',
        );
      }
      return same;
    }
    for (const version of secret.versions) {
      version.stages = version.stages.includes('AWSCURRENT') ? ['AWSPREVIOUS'] : [];
    }
    const version: Version = {
      id: versionId,
      text,
      createdSeconds: Date.now() / 1000,
      stages: ['AWSCURRENT'],
    };
    // Versions that carry no label any more are gone (Secrets Manager deprecates them).
    secret.versions.splice(
      0,
      secret.versions.length,
      ...secret.versions.filter((kept) => kept.stages.length > 0),
      version,
    );
    return version;
  }
}

const stringField = (body: Record<string, unknown>, name: string): string | undefined => {
  const value = body[name];
  if (value === undefined) return undefined;
  if (typeof value !== 'string' || value === '')
    throw invalid(`${name} must be a non-empty string.`);
  return value;
};

const requiredField = (body: Record<string, unknown>, name: string): string => {
  const value = stringField(body, name);
  if (value === undefined) throw invalid(`${name} is required.`);
  return value;
};

/** GetSecretValue: the version with the staging label (AWSCURRENT unless named), or the VersionId. */
const getSecretValue = (store: SecretStore, body: Record<string, unknown>) => {
  const secret = store.find(requiredField(body, 'SecretId'));
  const versionId = stringField(body, 'VersionId');
  const stage = stageOf(body);
  const version = secret.versions.find(
    (candidate) =>
      (versionId === undefined || candidate.id === versionId) &&
      (stage === undefined || candidate.stages.includes(stage as Stage)),
  );
  if (!version) {
    throw notFound(
      versionId === undefined
        ? `Secrets Manager can't find the specified secret value for staging label: ${stage}`
        : `Secrets Manager can't find the specified secret value for VersionId: ${versionId}`,
    );
  }
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    SecretString: version.text,
    VersionStages: [...version.stages],
    // The JSON protocol's timestamps are seconds since the epoch.
    CreatedDate: version.createdSeconds,
  };
};

/** PutSecretValue: a new version of a secret that exists, AWSCURRENT from now on. */
const putSecretValue = (store: SecretStore, body: Record<string, unknown>) => {
  const secret = store.find(requiredField(body, 'SecretId'));
  const text = requiredField(body, 'SecretString');
  const version = store.put(secret.name, text, stringField(body, 'ClientRequestToken'));
  return {
    ARN: secret.arn,
    Name: secret.name,
    VersionId: version.id,
    VersionStages: [...version.stages],
  };
};

type Operation = (store: SecretStore, body: Record<string, unknown>) => Record<string, unknown>;

const OPERATIONS: Readonly<Record<string, Operation>> = {
  'secretsmanager.GetSecretValue': getSecretValue,
  'secretsmanager.PutSecretValue': putSecretValue,
};

const reply = (res: ServerResponse, status: number, body: unknown) => {
  const text = JSON.stringify(body);
  res.writeHead(status, {
    'content-type': CONTENT_TYPE,
    'content-length': Buffer.byteLength(text),
    'x-amzn-requestid': randomUUID(),
  });
  res.end(text);
};

/** The staging label a GetSecretValue asks for: AWSCURRENT unless it names a label or a version. */
const stageOf = (body: Record<string, unknown>): string | undefined =>
  stringField(body, 'VersionStage') ??
  (stringField(body, 'VersionId') === undefined ? 'AWSCURRENT' : undefined);

/** What a log line names of a request: the secret and the version asked for, never a value. */
const requested = (operation: string, body: Record<string, unknown>): string => {
  const secretId = typeof body.SecretId === 'string' ? body.SecretId : '?';
  if (operation !== 'GetSecretValue') return `${secretId} (new version)`;
  const versionId = typeof body.VersionId === 'string' ? body.VersionId : undefined;
  try {
    return `${secretId} (${stageOf(body) ?? versionId})`;
  } catch {
    return secretId;
  }
};

const parseBody = (raw: Buffer): Record<string, unknown> => {
  let body: unknown;
  try {
    body = raw.length === 0 ? {} : JSON.parse(raw.toString('utf8'));
  } catch {
    throw new ServiceError('SerializationException', 'The request body is not valid JSON.');
  }
  if (typeof body !== 'object' || body === null || Array.isArray(body)) {
    throw new ServiceError('SerializationException', 'The request body is not a JSON object.');
  }
  return body as Record<string, unknown>;
};

const handler =
  (store: SecretStore, log: (line: string) => void) =>
  async (req: IncomingMessage, res: ServerResponse): Promise<void> => {
    const target = String(req.headers['x-amz-target'] ?? '');
    const operation = target.replace(/^secretsmanager\./, '');
    let asked = `${operation || req.method}`;
    try {
      const raw = await readBody(req, () => {});
      const run = req.method === 'POST' && req.url === '/' ? OPERATIONS[target] : undefined;
      if (!run) {
        throw new ServiceError(
          'UnknownOperationException',
          `The stand-in serves POST / with X-Amz-Target ${Object.keys(OPERATIONS).join(' or ')}.`,
        );
      }
      const body = parseBody(raw);
      asked = `${operation} ${requested(operation, body)}`;
      const answer = run(store, body);
      log(`${asked} → 200`);
      reply(res, 200, answer);
    } catch (error) {
      if (error instanceof ServiceError) {
        log(`${asked} → ${error.type}`);
        reply(res, 400, { __type: error.type, message: error.message });
      } else if (error instanceof BodyTooLargeError) {
        reply(res, 413, { __type: 'RequestEntityTooLargeException', message: 'Too large.' });
      } else {
        res.destroy();
      }
    }
  };

/** Starts the stand-in with `secrets` in it; every value stays in this process's memory. */
export const startSecretsStandIn = async (
  options: SecretsStandInOptions = {},
): Promise<SecretsStandIn> => {
  const store = new SecretStore();
  for (const [name, text] of Object.entries(options.secrets ?? {})) store.put(name, text);
  const serve = handler(store, options.log ?? (() => {}));
  const listener: Listener = await listen(
    createServer((req, res) => {
      serve(req, res).catch(() => res.destroy());
    }),
    options.port ?? 0,
  );
  return {
    endpoint: `http://127.0.0.1:${listener.port}`,
    put: (name, text) => store.put(name, text).id,
    names: () => store.names(),
    close: () => listener.close(),
  };
};
