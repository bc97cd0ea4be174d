import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, beforeEach } from 'vitest';
import { DEFAULT_SIMULATOR_CREDENTIALS } from '../../harness/simulator/signinghub-simulator.ts';
import type { Grant, SigningHubAccess } from '../../lib/signinghub/access.ts';
import {
  SigningHubClient,
  type SigningHubClientOptions,
} from '../../lib/signinghub/signinghub-client.ts';

/** What reached the fake: enough of each request to check what the client put on the wire. */
export interface Received {
  readonly method: string;
  readonly path: string;
  readonly headers: IncomingMessage['headers'];
  readonly body: string;
  /** Which connection carried it: 1 for the first the fake accepted, and so on. */
  readonly connection: number;
}

export interface FakeAnswer {
  readonly status: number;
  /** Sent as it is when a string, as JSON otherwise. */
  readonly body: unknown;
  readonly headers?: Record<string, string>;
  /** The status line and all but the body's last byte at once, that byte this long after. */
  readonly lastByteAfterMs?: number;
  /** Nothing at all for this long, then the answer. */
  readonly headersAfterMs?: number;
}

/**
 * A SigningHub that answers each authentication, each scope call and each API call from its own
 * script, then with a 600-second token ('t' to authenticate, 's' to the scope call) and an empty
 * 200; it keeps each request whole (the simulator keeps no bodies and hides the bearer token).
 */
export interface SigningHubFake {
  readonly baseUrl: string;
  readonly received: readonly Received[];
  /** The next authentications' answers, in order. */
  answerAuthentications(...answers: FakeAnswer[]): void;
  /** The next scope calls' answers (POST /v4/authenticate/scope), in order. */
  answerScopeCalls(...answers: FakeAnswer[]): void;
  /** The next API calls' answers (finish, workflow), in order. */
  answerApiCalls(...answers: FakeAnswer[]): void;
  /** The authentications' forms, as objects. */
  forms(): Record<string, string>[];
  /** The scope calls. */
  scopeCalls(): Received[];
  /** Every request but the authentications and scope calls. */
  apiCalls(): Received[];
  /** The connections opened to it so far, and those of them still open. */
  connections(): { readonly opened: number; readonly open: ReadonlySet<number> };
  /** Forgets what was received and what was scripted. */
  reset(): void;
  close(): Promise<void>;
}

const TOKEN: FakeAnswer = { status: 200, body: { access_token: 't', expires_in: 600 } };
const SCOPED: FakeAnswer = { status: 200, body: { access_token: 's', expires_in: 600 } };
const EMPTY: FakeAnswer = { status: 200, body: '' };
const AUTHENTICATE = '/authenticate';
/** Always v4, whatever version the API calls use. */
export const SCOPE_PATH = '/v4/authenticate/scope';

export const startSigningHubFake = async (): Promise<SigningHubFake> => {
  const received: Received[] = [];
  const authAnswers: FakeAnswer[] = [];
  const scopeAnswers: FakeAnswer[] = [];
  const apiAnswers: FakeAnswer[] = [];
  const answerTo = (path: string): FakeAnswer =>
    path === AUTHENTICATE
      ? (authAnswers.shift() ?? TOKEN)
      : path === SCOPE_PATH
        ? (scopeAnswers.shift() ?? SCOPED)
        : (apiAnswers.shift() ?? EMPTY);
  // Answers still waiting when the fake closes are dropped with it.
  const timers = new Set<NodeJS.Timeout>();
  const later = (run: () => void, ms: number) => {
    const timer = setTimeout(() => {
      timers.delete(timer);
      run();
    }, ms);
    timers.add(timer);
  };
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '';
      const body = Buffer.concat(chunks).toString('utf8');
      received.push({
        method: req.method ?? '',
        path,
        headers: req.headers,
        body,
        connection: ordinals.get(req.socket) ?? 0,
      });
      const answer = answerTo(path);
      if (answer.headersAfterMs !== undefined) {
        later(() => reply(answer), answer.headersAfterMs);
        return;
      }
      reply(answer);
    });
    const reply = (answer: FakeAnswer) => {
      const text = typeof answer.body === 'string' ? answer.body : JSON.stringify(answer.body);
      const headers = { 'content-type': 'application/json', ...answer.headers };
      if (answer.lastByteAfterMs === undefined) {
        res.writeHead(answer.status, headers).end(text);
        return;
      }
      res.writeHead(answer.status, { ...headers, 'content-length': Buffer.byteLength(text) });
      res.write(text.slice(0, -1));
      later(() => res.end(text.slice(-1)), answer.lastByteAfterMs);
    };
  });
  let opened = 0;
  const open = new Set<number>();
  const ordinals = new WeakMap<object, number>();
  server.on('connection', (socket) => {
    opened += 1;
    const ordinal = opened;
    ordinals.set(socket, ordinal);
    open.add(ordinal);
    socket.once('close', () => open.delete(ordinal));
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    baseUrl: `http://127.0.0.1:${port}`,
    received,
    answerAuthentications: (...answers) => authAnswers.push(...answers),
    answerScopeCalls: (...answers) => scopeAnswers.push(...answers),
    answerApiCalls: (...answers) => apiAnswers.push(...answers),
    forms: () =>
      received
        .filter(({ path }) => path === AUTHENTICATE)
        .map(({ body }) => Object.fromEntries(new URLSearchParams(body))),
    scopeCalls: () => received.filter(({ path }) => path === SCOPE_PATH),
    apiCalls: () => received.filter(({ path }) => path !== AUTHENTICATE && path !== SCOPE_PATH),
    connections: () => ({ opened, open: new Set(open) }),
    reset: () => {
      for (const timer of timers) clearTimeout(timer);
      timers.clear();
      received.length = 0;
      authAnswers.length = 0;
      scopeAnswers.length = 0;
      apiAnswers.length = 0;
    },
    close: async () => {
      for (const timer of timers) clearTimeout(timer);
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
};

/**
 * A fake for the calling test file: started before its tests, reset before each, closed after
 * them. Usable at the file's top level, where the fake itself is not started yet.
 */
export const fakeForThisFile = (): SigningHubFake => {
  let started: SigningHubFake | undefined;
  beforeAll(async () => {
    started = await startSigningHubFake();
  });
  beforeEach(() => started?.reset());
  afterAll(() => started?.close());
  return new Proxy({} as SigningHubFake, {
    get: (_, key) => {
      if (started === undefined) throw new Error('the fake starts before the file’s tests');
      return Reflect.get(started, key);
    },
  });
};

/** The simulator's account with the password grant. */
export const PASSWORD_GRANT: Extract<Grant, { type: 'password' }> = {
  type: 'password',
  ...DEFAULT_SIMULATOR_CREDENTIALS,
};

/** The simulator's client id and secret with the client-credentials grant. */
export const CLIENT_CREDENTIALS_GRANT: Extract<Grant, { type: 'client_credentials' }> = {
  type: 'client_credentials',
  clientId: DEFAULT_SIMULATOR_CREDENTIALS.clientId,
  clientSecret: DEFAULT_SIMULATOR_CREDENTIALS.clientSecret,
};

/** The default tenant's access to `baseUrl` (API v3, password grant, no TLS setting), amended. */
export const accessTo = (
  baseUrl: string,
  access: Partial<SigningHubAccess> = {},
): SigningHubAccess => ({
  tenant: 'default',
  baseUrl,
  apiVersion: 'v3',
  grant: PASSWORD_GRANT,
  tls: undefined,
  ...access,
});

/**
 * A client of the SigningHub (fake or simulator) at `baseUrl`, with the simulator's credentials
 * (or `access` amended) and a generous timeout: the server shares this process, and a busy
 * machine answers late.
 */
export const clientOf = (
  baseUrl: string,
  options: Partial<SigningHubClientOptions> = {},
  access: Partial<SigningHubAccess> = {},
) =>
  new SigningHubClient({
    timeoutMs: 5_000,
    access: async () => accessTo(baseUrl, access),
    ...options,
  });
