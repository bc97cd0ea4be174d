import ky, { type KyInstance } from 'ky';
import { type MetricsPort, NO_METRICS } from '../metrics.ts';
import type { AccessReader, SigningHubAccess } from './access.ts';
import { Authenticator } from './authentication.ts';
import { guardedBody } from './document-download.ts';
import {
  FinalSigningHubError,
  RetryableSigningHubError,
  SigningHubAbortedError,
  type SigningHubError,
  UnauthorizedSigningHubError,
} from './errors.ts';
import { exchange } from './exchange.ts';
import { packageDocumentsOf } from './package-documents.ts';
import type {
  CallOptions,
  DocumentsPort,
  FinishPort,
  PackageDocuments,
  WorkflowDetails,
  WorkflowPort,
} from './ports.ts';
import {
  finishResponseClass,
  readErrorMessage,
  retryAfterMs,
  workflowStatusOf,
} from './responses.ts';
import { TlsFetches } from './tls-fetch.ts';
import { type CachedToken, sameAccount, TokenCache } from './token-cache.ts';

/** SigningHub's answers that asking again cannot change (400, 403, 404, 410, 422). */
export const FINAL_STATUSES: readonly number[] = [400, 403, 404, 410, 422];

export interface SigningHubClientOptions {
  /** One HTTP attempt's timeout. */
  readonly timeoutMs: number;
  /**
   * The tenant's access (host, API version, grant, TLS), read at each call: the reader keeps it
   * as long as it should (a secret: Powertools' maximum age). `forceFetch`: SigningHub refused
   * the credentials it gave last, read past any cache.
   */
  readonly access: AccessReader;
  /** Shared by all tenants' clients of a process (keyed per tenant and scope); default: its own. */
  readonly tokens?: TokenCache;
  readonly now?: () => number;
  /** SigningHubAuthentications per authentication sent, FinishResponse* per finish sent. */
  readonly metrics?: Pick<MetricsPort, 'count'>;
}

type Operation = 'finish' | 'workflow' | 'document';

/** One call of the API: what it is, its path below /{version}/packages/{id}/, and for whom. */
interface ApiCall {
  readonly operation: Operation;
  readonly path: string;
  /** The user the token is for; '' for the account itself. */
  readonly scope: string;
}

const WORKFLOW: ApiCall = { operation: 'workflow', path: 'workflow', scope: '' };

/**
 * Talks to one tenant's SigningHub: tokens by its grant (password or client credentials, cached
 * per tenant and scope), finish, workflow details, and a package's documents; over Node's fetch,
 * or over the tenant's own TLS setting (client certificate, private CA) when it has one.
 */
export class SigningHubClient implements FinishPort, WorkflowPort, DocumentsPort {
  readonly #options: SigningHubClientOptions;
  readonly #http: KyInstance;
  readonly #now: () => number;
  readonly #metrics: Pick<MetricsPort, 'count'>;
  readonly #connections = new TlsFetches();
  readonly #authenticator: Authenticator;

  constructor(options: SigningHubClientOptions) {
    this.#options = options;
    this.#now = options.now ?? Date.now;
    this.#metrics = options.metrics ?? NO_METRICS;
    this.#http = ky.create({
      retry: 0,
      timeout: options.timeoutMs,
      throwHttpErrors: false,
      redirect: 'manual',
    });
    this.#authenticator = new Authenticator({
      http: this.#http,
      access: options.access,
      tokens: options.tokens ?? new TokenCache(this.#now),
      timeoutMs: options.timeoutMs,
      now: this.#now,
      metrics: this.#metrics,
      fetchFor: (access) => this.#connections.fetchFor(access.tls),
    });
  }

  /**
   * POST /{version}/packages/{id}/finish. Resolves on 200, decided by the status line alone: the
   * work is done at SigningHub whatever becomes of the body. Throws a SigningHubError otherwise.
   */
  async finishPackage(packageId: number, options: CallOptions = {}): Promise<void> {
    const call: ApiCall = { operation: 'finish', path: 'finish', scope: options.scope ?? '' };
    const response = await this.#authorized(call, packageId, options);
    // Nobody needs the body: cancelled, not read. A small answer has arrived whole with its
    // status line, and its connection is back in the pool already (reading it would cost a tenth
    // of the client's CPU per finish); a large or slow one is cut, its connection closed.
    response.body?.cancel().catch(() => undefined);
  }

  /** GET /{version}/packages/{id}/workflow as the account itself; undefined when deleted (404). */
  async getWorkflow(
    packageId: number,
    options: Pick<CallOptions, 'signal' | 'onRequestSent'> = {},
  ): Promise<WorkflowDetails | undefined> {
    return this.#workflowDetails(packageId, options, (text) => {
      const workflowStatus = workflowStatusOf(text);
      return workflowStatus === undefined
        ? 'the answer had no workflow.workflow_status'
        : { packageId, workflowStatus };
    });
  }

  /**
   * The workflow details as the account itself, with the package's owner and its documents in
   * their order; undefined when deleted (404). An answer that cannot be read is a transient
   * failure.
   */
  getPackageDocuments(
    packageId: number,
    options: Pick<CallOptions, 'signal'> = {},
  ): Promise<PackageDocuments | undefined> {
    return this.#workflowDetails(packageId, { signal: options.signal }, (text) =>
      packageDocumentsOf(packageId, text),
    );
  }

  /**
   * GET /{version}/packages/{id}/documents/{documentId} as `scope` (the account itself when it
   * is absent or empty). Resolves once the 200's headers are in (within the timeout), with the
   * body as a stream read only as it is consumed; each wait for its next bytes is bounded by the
   * timeout, never the whole transfer (document-download.ts). `signal` cancels it, before or
   * during the body.
   */
  async downloadDocument(
    packageId: number,
    documentId: number,
    options: Pick<CallOptions, 'scope' | 'signal'> = {},
  ): Promise<ReadableStream<Uint8Array>> {
    const call: ApiCall = {
      operation: 'document',
      path: `documents/${documentId}`,
      scope: options.scope ?? '',
    };
    // Cancels the request once its body is given up (a stall), the caller's signal or not.
    const request = new AbortController();
    const signal = options.signal
      ? AbortSignal.any([options.signal, request.signal])
      : request.signal;
    const response = await this.#authorized(call, packageId, { signal });
    return guardedBody(response.body, {
      timeoutMs: this.#options.timeoutMs,
      signal: options.signal,
      cancelRequest: (reason) => request.abort(reason),
    });
  }

  /**
   * The workflow details as `read` finds them in the answer; undefined when deleted (404). What
   * `read` cannot find (it answers why, as a string) makes the answer a transient failure.
   */
  async #workflowDetails<T>(
    packageId: number,
    options: Pick<CallOptions, 'signal' | 'onRequestSent'>,
    read: (text: string) => T | string,
  ): Promise<T | undefined> {
    try {
      const response = await this.#authorized(WORKFLOW, packageId, {
        signal: options.signal,
        onRequestSent: options.onRequestSent,
      });
      const text = await this.#bodyOf('workflow', response, options.signal);
      const details = read(text);
      if (typeof details === 'string') {
        throw new RetryableSigningHubError('workflow', { httpStatus: 200, message: details });
      }
      return details;
    } catch (error) {
      if (error instanceof FinalSigningHubError && error.httpStatus === 404) return undefined;
      throw error;
    }
  }

  /**
   * The request with a token for its scope (workflow details: the account's own), and once more
   * with a new token after a 401: at most two requests per call for 401s.
   */
  async #authorized(call: ApiCall, packageId: number, options: CallOptions): Promise<Response> {
    const { operation, scope } = call;
    const access = await this.#options.access();
    const token = () => this.#authenticator.token(access, scope, options.signal);
    let held = await token();
    let response = await this.#send(call, packageId, access, held, options);
    if (response.status === 401) {
      await response.arrayBuffer().catch(() => undefined);
      this.#authenticator.forget(access, scope, held);
      held = await token();
      response = await this.#send(call, packageId, access, held, options);
    }
    if (response.ok) return response;
    throw await this.#errorFor(operation, response);
  }

  async #send(
    { operation, path }: ApiCall,
    packageId: number,
    access: SigningHubAccess,
    token: CachedToken,
    { signal, onRequestSent, startBy }: CallOptions,
  ): Promise<Response> {
    // A token got with credentials read afresh goes to the host they name, and nowhere else.
    const target = sameAccount(token.access, access) ? access : token.access;
    const url = `${target.baseUrl}/${target.apiVersion}/packages/${packageId}/${path}`;
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
          accept: operation === 'document' ? 'application/octet-stream' : 'application/json',
          ...(operation === 'finish' ? { 'content-type': 'application/json' } : {}),
          authorization: `Bearer ${token.accessToken}`,
        },
        fetch: this.#connections.fetchFor(target.tls),
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
