import { watchHttps } from './https-watch.ts';
import { DEFAULT_TENANT, type PackageRef, packageRef } from './tenant-mix.ts';

/** The header the observer adds so the simulator's call log names the scope of every request. */
export const SCOPE_HEADER = 'x-soak-scope';
/** The scope of a request whose token the observer never saw issued (none should exist). */
export const UNKNOWN_SCOPE = '<unknown token>';

export interface WorkflowAnswer {
  readonly ref: PackageRef;
  /** SigningHub's workflow_status, or DELETED for a 404. */
  readonly word: string;
  /** When the answer arrived, before the function could read it. */
  readonly at: number;
}

export interface FinishAnswer {
  /** `<tenant>/<packageId>|<scope or ->`, as the invariants key finishes. */
  readonly key: string;
  readonly status: number;
  /** False when the function had given up on the request (its timeout) before the answer came. */
  readonly received: boolean;
  readonly at: number;
}

export interface SigningHubObserver {
  /** Every workflow answer (200 or 404) SigningHub gave, in order. */
  readonly workflowAnswers: readonly WorkflowAnswer[];
  /** Every finish answer SigningHub gave, and whether it reached the function. */
  readonly finishAnswers: readonly FinishAnswer[];
  /**
   * Finish requests that left the function, by key. SigningHub may see fewer: a request whose
   * connection is cut before the server reads it (the function's timeout, on a starved loop).
   */
  readonly finishRequests: ReadonlyMap<string, number>;
  /**
   * When each finish request left the function. SigningHub's own log can show another order: a
   * request the function gave up on may be read by the server after the retry that replaced it.
   */
  readonly finishSends: readonly { readonly key: string; readonly at: number }[];
  /** Access tokens issued so far. */
  readonly tokens: ReadonlySet<string>;
  /** Requests sent to one tenant's host with a token another tenant's host issued. */
  readonly misdirected: readonly string[];
  uninstall(): void;
}

/** A finish on its way: the tenant, package and scope it is for. */
export interface FinishTarget {
  readonly tenant: string;
  readonly packageId: number;
  readonly scope: string;
}

export interface ObserverOptions {
  /** The simulator's HTTP origin: requests there are watched through the global fetch (ky's). */
  readonly baseUrl: string;
  /** Its HTTPS origin: requests there (a client certificate's tenant) are watched on node:https. */
  readonly httpsBaseUrl?: string | undefined;
  readonly onToken?: (token: string) => void;
  /** A finish answered: the package's state at SigningHub may just have changed. */
  readonly onFinishAnswered?: (target: FinishTarget, status: number) => void;
  /**
   * Runs before the function sees SigningHub's answer to a finish made through fetch: a late
   * answer, an outage. (An answer over node:https cannot be held.)
   */
  readonly beforeFinishAnswer?: (
    target: FinishTarget,
    answer: Response,
  ) => Promise<void> | undefined;
}

const ENTERPRISE_PATH = /^\/enterprises\/([^/]+)(\/.*)$/;
const PACKAGE_PATH = /^\/v[34]\/packages\/(\d+)\/(finish|workflow)$/;
const SCOPE_PATH = '/v4/authenticate/scope';

const tokenOf = (authorization: string | null | undefined): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? '')?.[1];

const parseJson = (text: string): Record<string, unknown> => {
  try {
    const value: unknown = JSON.parse(text);
    return typeof value === 'object' && value !== null ? (value as Record<string, unknown>) : {};
  } catch {
    return {};
  }
};

/** What one request is, from its path and token: whose host, which operation, which scope. */
interface Exchange {
  readonly tenant: string;
  readonly operation: 'authenticate' | 'scope' | 'finish' | 'workflow' | 'other';
  readonly packageId: number;
  /** The bearer token's scope ('' unscoped or without a token). */
  readonly scope: string;
  /** `<tenant>/<packageId>|<scope or ->` for a finish. */
  readonly key: string;
}

/**
 * Watches what the functions exchange with SigningHub: which tokens each tenant's host issued for
 * which scope (so logs can be searched for them, each call attributed to its tenant and signer,
 * and a token used at another tenant's host caught), when each finish left the function and
 * whether its answer reached it, and what every workflow request answered, and when. Requests
 * over HTTP are seen by wrapping the global fetch; those to a tenant behind a client certificate
 * go over node:https, which is wrapped too.
 */
export const observeSigningHub = (options: ObserverOptions): SigningHubObserver => {
  const scopes = new Map<string, { tenant: string; scope: string }>();
  const tokens = new Set<string>();
  const workflowAnswers: WorkflowAnswer[] = [];
  const finishAnswers: FinishAnswer[] = [];
  const finishRequests = new Map<string, number>();
  const finishSends: { key: string; at: number }[] = [];
  const misdirected: string[] = [];

  const remember = (tenant: string, token: unknown, scope: string) => {
    if (typeof token !== 'string' || token === '') return;
    scopes.set(token, { tenant, scope });
    tokens.add(token);
    options.onToken?.(token);
  };

  /** A request leaving the function for a path below the simulator's origin. */
  const begin = (path: string, authorization: string | null | undefined): Exchange => {
    const enterprise = ENTERPRISE_PATH.exec(path);
    const tenant = enterprise?.[1] ?? DEFAULT_TENANT;
    const rest = enterprise?.[2] ?? path;
    const token = tokenOf(authorization);
    const issued = token === undefined ? undefined : scopes.get(token);
    if (issued && issued.tenant !== tenant) {
      misdirected.push(`${tenant}'s host got a token of ${issued.tenant}'s for ${rest}`);
    }
    const scope = token === undefined ? '' : (issued?.scope ?? UNKNOWN_SCOPE);
    const match = PACKAGE_PATH.exec(rest);
    const packageId = Number(match?.[1]);
    const operation =
      rest === '/authenticate'
        ? 'authenticate'
        : rest === SCOPE_PATH
          ? 'scope'
          : ((match?.[2] as 'finish' | 'workflow' | undefined) ?? 'other');
    const key = `${packageRef(tenant, packageId)}|${scope === '' ? '-' : scope}`;
    if (operation === 'finish') {
      finishRequests.set(key, (finishRequests.get(key) ?? 0) + 1);
      finishSends.push({ key, at: Date.now() });
    }
    return { tenant, operation, packageId, scope, key };
  };

  /** The scope a token answer is for: the form's (password grant) or the scope call's user. */
  const askedScope = (exchange: Exchange, requestBody: string): string =>
    exchange.operation === 'scope'
      ? String(parseJson(requestBody).user_email ?? '')
      : (new URLSearchParams(requestBody).get('scope') ?? '');

  /** An answer's body, for the operations whose body the soak needs. */
  const answered = (exchange: Exchange, status: number, requestBody: string, body: string) => {
    const { tenant, operation, packageId } = exchange;
    if ((operation === 'authenticate' || operation === 'scope') && status === 200) {
      const answer = parseJson(body);
      remember(tenant, answer.access_token, askedScope(exchange, requestBody));
      remember(tenant, answer.refresh_token, askedScope(exchange, requestBody));
    }
    if (operation === 'workflow' && (status === 200 || status === 404)) {
      const workflow = parseJson(body).workflow as { workflow_status?: unknown } | undefined;
      const word = status === 404 ? 'DELETED' : String(workflow?.workflow_status ?? '<none>');
      workflowAnswers.push({ ref: packageRef(tenant, packageId), word, at: Date.now() });
    }
  };

  const finishTarget = ({ tenant, packageId, scope }: Exchange): FinishTarget => ({
    tenant,
    packageId,
    scope,
  });

  const original = globalThis.fetch;
  const observed = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${options.baseUrl}/`)) return original(request);
    const exchange = begin(new URL(request.url).pathname, request.headers.get('authorization'));
    const requestBody = ['authenticate', 'scope'].includes(exchange.operation)
      ? await request.clone().text()
      : '';
    const headers = new Headers(request.headers);
    headers.set(SCOPE_HEADER, exchange.scope);
    const response = await original(new Request(request, { headers }));
    if (exchange.operation !== 'finish') {
      if (['authenticate', 'scope', 'workflow'].includes(exchange.operation)) {
        const body = await response
          .clone()
          .text()
          .catch(() => '');
        answered(exchange, response.status, requestBody, body);
      }
      return response;
    }
    options.onFinishAnswered?.(finishTarget(exchange), response.status);
    const pending = options.beforeFinishAnswer?.(finishTarget(exchange), response);
    if (pending) {
      await pending;
      // The body of a cancelled request is already errored: cancelling it again may throw.
      if (request.signal.aborted) await response.body?.cancel().catch(() => undefined);
    }
    finishAnswers.push({
      key: exchange.key,
      status: response.status,
      received: !request.signal.aborted,
      at: Date.now(),
    });
    return response;
  };
  globalThis.fetch = observed as typeof globalThis.fetch;

  const unwatchHttps =
    options.httpsBaseUrl === undefined
      ? () => {}
      : watchHttps(options.httpsBaseUrl, (path, authorization) => {
          const exchange = begin(path, authorization);
          return {
            headers: { [SCOPE_HEADER]: exchange.scope },
            answered: (status, requestBody, body, received) => {
              if (exchange.operation !== 'finish') {
                answered(exchange, status, requestBody, body);
                return;
              }
              options.onFinishAnswered?.(finishTarget(exchange), status);
              finishAnswers.push({ key: exchange.key, status, received, at: Date.now() });
            },
          };
        });

  return {
    workflowAnswers,
    finishAnswers,
    finishRequests,
    finishSends,
    tokens,
    misdirected,
    uninstall: () => {
      globalThis.fetch = original;
      unwatchHttps();
    },
  };
};
