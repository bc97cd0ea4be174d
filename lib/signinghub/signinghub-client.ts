import ky, { type KyInstance } from 'ky';
import type { ApiVersion, SigningHubCredentials } from '../config.ts';
import { type MetricsPort, NO_METRICS } from '../metrics.ts';
import {
  AuthenticationError,
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  type SigningHubError,
  UnauthorizedSigningHubError,
} from './errors.ts';
import { exchange } from './exchange.ts';
import type { CallOptions, FinishPort, WorkflowDetails, WorkflowPort } from './ports.ts';
import {
  finishResponseClass,
  parseJsonObject,
  readErrorMessage,
  retryAfterMs,
  workflowStatusOf,
} from './responses.ts';
import { type CachedToken, expiringToken, TokenCache, tokenKey } from './token-cache.ts';

/** SigningHub's answers that asking again cannot change (400, 403, 404, 410, 422). */
export const FINAL_STATUSES: readonly number[] = [400, 403, 404, 410, 422];

export interface SigningHubClientOptions {
  readonly baseUrl: string;
  readonly apiVersion: ApiVersion;
  /** One HTTP attempt's timeout. */
  readonly timeoutMs: number;
  /**
   * The account's credentials, read at each authentication: the reader keeps them as long as it
   * should (a secret: Powertools' maximum age). `forceFetch`: SigningHub refused what it gave last,
   * read past any cache.
   */
  readonly credentials: (options?: {
    readonly forceFetch?: boolean;
  }) => Promise<SigningHubCredentials>;
  readonly now?: () => number;
  /** SigningHubAuthentications per authentication sent, FinishResponse* per finish sent. */
  readonly metrics?: Pick<MetricsPort, 'count'>;
}

type Operation = 'finish' | 'workflow';

const sameCredentials = (a: SigningHubCredentials, b: SigningHubCredentials): boolean =>
  a.clientId === b.clientId &&
  a.clientSecret === b.clientSecret &&
  a.username === b.username &&
  a.password === b.password;

/** Talks to SigningHub: password-grant tokens cached per scope, finish, and workflow details. */
export class SigningHubClient implements FinishPort, WorkflowPort {
  readonly #options: SigningHubClientOptions;
  readonly #http: KyInstance;
  readonly #now: () => number;
  readonly #metrics: Pick<MetricsPort, 'count'>;
  readonly #tokens: TokenCache;

  constructor(options: SigningHubClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#tokens = new TokenCache(this.#now);
    this.#http = ky.create({
      retry: 0,
      timeout: options.timeoutMs,
      throwHttpErrors: false,
      redirect: 'manual',
    });
  }

  /**
   * POST /{version}/packages/{id}/finish. Resolves on 200, decided by the status line alone: the
   * work is done at SigningHub whatever becomes of the body. Throws a SigningHubError otherwise.
   */
  async finishPackage(packageId: number, options: CallOptions = {}): Promise<void> {
    const response = await this.#authorized('finish', packageId, options);
    // Read (not cancel) the body so the connection goes back to the pool; nobody waits for it.
    response.arrayBuffer().catch(() => undefined);
  }

  /** GET /{version}/packages/{id}/workflow as the account itself; undefined when deleted (404). */
  async getWorkflow(
    packageId: number,
    options: Pick<CallOptions, 'signal' | 'onRequestSent'> = {},
  ): Promise<WorkflowDetails | undefined> {
    try {
      const response = await this.#authorized('workflow', packageId, {
        signal: options.signal,
        onRequestSent: options.onRequestSent,
      });
      const text = await this.#bodyOf('workflow', response, options.signal);
      const workflowStatus = workflowStatusOf(text);
      if (workflowStatus === undefined) {
        throw new RetryableSigningHubError('workflow', {
          httpStatus: 200,
          message: 'the answer had no workflow.workflow_status',
        });
      }
      return { packageId, workflowStatus };
    } catch (error) {
      if (error instanceof FinalSigningHubError && error.httpStatus === 404) return undefined;
      throw error;
    }
  }

  async #authorized(
    operation: Operation,
    packageId: number,
    options: CallOptions,
  ): Promise<Response> {
    const scope = options.scope ?? '';
    const key = tokenKey({ scope });
    // One authentication per scope at a time: concurrent callers share it.
    const token = () => this.#tokens.get(key, () => this.#authenticate(scope, options.signal));
    let held = await token();
    let response = await this.#send(operation, packageId, held, options);
    if (response.status === 401) {
      await response.arrayBuffer().catch(() => undefined);
      this.#tokens.forget(key, held);
      held = await token();
      response = await this.#send(operation, packageId, held, options);
    }
    if (response.ok) return response;
    throw await this.#errorFor(operation, response);
  }

  async #send(
    operation: Operation,
    packageId: number,
    token: CachedToken,
    { signal, onRequestSent, startBy }: CallOptions,
  ): Promise<Response> {
    const { baseUrl, apiVersion } = this.#options;
    const url = `${baseUrl}/${apiVersion}/packages/${packageId}/${operation}`;
    if (signal?.aborted || (startBy !== undefined && this.#now() > startBy)) {
      throw new SigningHubAbortedError(operation, {
        message: 'not sent: no time left in the invocation for an answer',
      });
    }
    onRequestSent?.();
    const answer = this.#request(operation, signal, () =>
      this.#http(url, {
        method: operation === 'finish' ? 'post' : 'get',
        headers: {
          accept: 'application/json',
          ...(operation === 'finish' ? { 'content-type': 'application/json' } : {}),
          authorization: `Bearer ${token.accessToken}`,
        },
        ...(signal ? { signal } : {}),
      }),
    );
    if (operation !== 'finish') return answer;
    return answer.then(
      (response) => {
        this.#metrics.count(finishResponseClass(response.status));
        return response;
      },
      (error: unknown) => {
        this.#metrics.count(finishResponseClass(undefined));
        throw error;
      },
    );
  }

  /**
   * A token for the scope with the credentials the reader gives. When SigningHub refuses them, they
   * are read once more past the reader's cache: a password rotated since is used at once. A token
   * got before a rotation stays in use until it expires or SigningHub refuses it.
   */
  async #authenticate(scope: string, signal: AbortSignal | undefined): Promise<CachedToken> {
    const credentials = await this.#options.credentials();
    try {
      return await this.#passwordGrant(credentials, scope, signal);
    } catch (error) {
      if (!(error instanceof AuthenticationError) || error.otpRequired) throw error;
      // Fresher credentials or none: a failed read leaves SigningHub's refusal as the answer.
      const fresh = await this.#options.credentials({ forceFetch: true }).catch(() => credentials);
      if (sameCredentials(fresh, credentials)) throw error;
      return this.#passwordGrant(fresh, scope, signal);
    }
  }

  async #passwordGrant(
    credentials: SigningHubCredentials,
    scope: string,
    signal: AbortSignal | undefined,
  ): Promise<CachedToken> {
    const form = new URLSearchParams({
      grant_type: 'password',
      client_id: credentials.clientId,
      client_secret: credentials.clientSecret,
      username: credentials.username,
      password: credentials.password,
    });
    if (scope !== '') form.set('scope', scope);
    this.#metrics.count('SigningHubAuthentications');
    const response = await this.#request('authenticate', signal, () =>
      this.#http.post(`${this.#options.baseUrl}/authenticate`, {
        headers: { accept: 'application/json' },
        body: form,
        ...(signal ? { signal } : {}),
      }),
    );
    const text = await this.#request('authenticate', signal, () => response.text());
    if (!response.ok) {
      const message = readErrorMessage(text, response.status);
      if (response.status === 408 || response.status === 429 || response.status >= 500) {
        throw new RetryableSigningHubError(
          'authenticate',
          { httpStatus: response.status, message },
          retryAfterMs(response.headers.get('retry-after'), this.#now()),
        );
      }
      const otpRequired = response.headers.has('x-otp');
      throw new AuthenticationError(
        {
          httpStatus: response.status,
          message: otpRequired
            ? `${message} (the account needs a one-time password and cannot be used by a machine)`
            : message,
        },
        otpRequired,
      );
    }
    const answer = parseJsonObject(text);
    const accessToken = answer?.access_token;
    const expiresIn = Number(answer?.expires_in);
    if (typeof accessToken !== 'string' || accessToken === '' || !(expiresIn > 0)) {
      throw new AuthenticationError({
        httpStatus: response.status,
        message: 'the answer had no access_token or expires_in',
      });
    }
    return expiringToken(accessToken, expiresIn, this.#now());
  }

  /** One HTTP exchange, its transport failures as SigningHub errors. */
  #request<T>(
    operation: string,
    signal: AbortSignal | undefined,
    send: () => Promise<T>,
  ): Promise<T> {
    return exchange(operation, { signal, timeoutMs: this.#options.timeoutMs }, send);
  }

  /** The body's text; a body cut off or cancelled is a transient failure, not a crash. */
  #bodyOf(operation: Operation, response: Response, signal?: AbortSignal): Promise<string> {
    return this.#request(operation, signal, () => response.text());
  }

  async #errorFor(operation: Operation, response: Response): Promise<SigningHubError> {
    // The status decides; a body that cannot be read only costs the message.
    const body = await response.text().catch(() => '');
    const message = readErrorMessage(body, response.status);
    const details = { httpStatus: response.status, message };
    const status = response.status;
    if (FINAL_STATUSES.includes(status)) {
      return new FinalSigningHubError(operation, details);
    }
    // Only reached after a retry with a fresh token was refused too.
    if (status === 401) return new UnauthorizedSigningHubError(operation, details);
    const wait = retryAfterMs(response.headers.get('retry-after'), this.#now());
    // 408, 429, 5xx, and anything unexpected: not the package's fault.
    return new RetryableSigningHubError(operation, details, wait);
  }
}
