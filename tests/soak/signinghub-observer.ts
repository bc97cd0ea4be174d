/** The header the observer adds so the simulator's call log names the scope of every request. */
export const SCOPE_HEADER = 'x-soak-scope';
/** The scope of a request whose token the observer never saw issued (none should exist). */
export const UNKNOWN_SCOPE = '<unknown token>';

export interface WorkflowAnswer {
  readonly packageId: number;
  /** SigningHub's workflow_status, or DELETED for a 404. */
  readonly word: string;
  /** When the answer arrived, before the function could read it. */
  readonly at: number;
}

export interface FinishAnswer {
  /** `<packageId>|<scope or ->`, as the invariants key finishes. */
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
  /** Access and refresh tokens issued so far. */
  readonly tokens: ReadonlySet<string>;
  uninstall(): void;
}

export interface ObserverOptions {
  /** Only requests to this origin are looked at. */
  readonly baseUrl: string;
  readonly onToken?: (token: string) => void;
  /** A finish answered: the package's state at SigningHub may just have changed. */
  readonly onFinishAnswered?: (packageId: number, scope: string, status: number) => void;
  /** Runs before the function sees SigningHub's answer to a finish: a late answer, an outage. */
  readonly beforeFinishAnswer?: (
    packageId: number,
    scope: string,
    answer: Response,
  ) => Promise<void> | undefined;
}

const PACKAGE_PATH = /^\/v[34]\/packages\/(\d+)\/(finish|workflow)$/;

const tokenOf = (request: Request): string | undefined =>
  /^Bearer\s+(\S+)\s*$/i.exec(request.headers.get('authorization') ?? '')?.[1];

/**
 * Watches what the functions exchange with SigningHub by wrapping the global fetch (ky's
 * default): which tokens were issued for which scope (so logs can be searched for them and each
 * call attributed to its signer), and what every workflow request answered, and when.
 */
export const observeSigningHub = (options: ObserverOptions): SigningHubObserver => {
  const original = globalThis.fetch;
  const scopes = new Map<string, string>();
  const tokens = new Set<string>();
  const workflowAnswers: WorkflowAnswer[] = [];
  const finishAnswers: FinishAnswer[] = [];
  const finishRequests = new Map<string, number>();
  const finishSends: { key: string; at: number }[] = [];

  const remember = (token: unknown, scope: string) => {
    if (typeof token !== 'string' || token === '') return;
    scopes.set(token, scope);
    tokens.add(token);
    options.onToken?.(token);
  };

  const observed = async (input: string | URL | Request, init?: RequestInit): Promise<Response> => {
    const request = new Request(input, init);
    if (!request.url.startsWith(`${options.baseUrl}/`)) return original(request);
    const path = new URL(request.url).pathname;

    if (path === '/authenticate') {
      const scope = new URLSearchParams(await request.clone().text()).get('scope') ?? '';
      const response = await original(request);
      if (response.ok) {
        const answer = (await response
          .clone()
          .json()
          .catch(() => ({}))) as Record<string, unknown>;
        remember(answer.access_token, scope);
        remember(answer.refresh_token, scope);
      }
      return response;
    }

    const token = tokenOf(request);
    const scope = token === undefined ? '' : (scopes.get(token) ?? UNKNOWN_SCOPE);
    const headers = new Headers(request.headers);
    headers.set(SCOPE_HEADER, scope);
    const match = PACKAGE_PATH.exec(path);
    const packageId = Number(match?.[1]);
    const key = `${packageId}|${scope === '' ? '-' : scope}`;
    if (match?.[2] === 'finish') {
      finishRequests.set(key, (finishRequests.get(key) ?? 0) + 1);
      finishSends.push({ key, at: Date.now() });
    }
    const response = await original(new Request(request, { headers }));
    const at = Date.now();
    if (match?.[2] === 'workflow' && (response.status === 200 || response.status === 404)) {
      let word = 'DELETED';
      if (response.status === 200) {
        const body = (await response
          .clone()
          .json()
          .catch(() => ({}))) as { workflow?: { workflow_status?: unknown } };
        word = String(body.workflow?.workflow_status ?? '<none>');
      }
      workflowAnswers.push({ packageId, word, at });
    }
    if (match?.[2] === 'finish') {
      options.onFinishAnswered?.(packageId, scope, response.status);
      const pending = options.beforeFinishAnswer?.(packageId, scope, response);
      if (pending) {
        await pending;
        // The body of a cancelled request is already errored: cancelling it again may throw.
        if (request.signal.aborted) await response.body?.cancel().catch(() => undefined);
      }
      finishAnswers.push({
        key,
        status: response.status,
        received: !request.signal.aborted,
        at: Date.now(),
      });
    }
    return response;
  };

  globalThis.fetch = observed as typeof globalThis.fetch;
  return {
    workflowAnswers,
    finishAnswers,
    finishRequests,
    finishSends,
    tokens,
    uninstall: () => {
      globalThis.fetch = original;
    },
  };
};
