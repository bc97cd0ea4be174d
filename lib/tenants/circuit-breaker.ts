import { isSigningHubError, SigningHubError } from '../signinghub/errors.ts';
import type {
  CallOptions,
  DocumentsPort,
  FinishPort,
  WorkflowDetails,
  WorkflowPort,
} from '../signinghub/ports.ts';

export interface CircuitOptions {
  /**
   * Transport failures or 5xx in a row, from one tenant's SigningHub, that open its circuit (when
   * they are not all one package's 5xx).
   */
  readonly failuresToOpen: number;
  /** How long an open circuit refuses before it lets one request through to probe. */
  readonly coolDownMs: number;
  readonly now: () => number;
}

/** Five failures in a row: more than one message's retries, fewer than a batch's first tries. */
export const DEFAULT_CIRCUIT_OPTIONS: Omit<CircuitOptions, 'now'> = {
  failuresToOpen: 5,
  coolDownMs: 30_000,
};

/** No request sent: the tenant's SigningHub failed too often just now; the queue brings it back. */
export class CircuitOpenError extends SigningHubError {
  override name = 'CircuitOpenError';
  readonly retry = 'later' as const;
}

/** What an answer (or its absence) says about the tenant's host. */
type Verdict = 'up' | 'unreachable' | 'failing' | 'neither';

/**
 * A failure of the host: no answer (timeout, network, TLS: unreachable) or a 5xx (failing),
 * whether to the finish, the workflow read or the authentication before them. Refusals (401, 403,
 * 4xx) are answers: the host is up. A request never sent (an abort, an open circuit) says nothing.
 */
const verdictOf = (error: unknown): Verdict => {
  if (!isSigningHubError(error)) return 'neither';
  if (error.name === 'SigningHubAbortedError' || error instanceof CircuitOpenError)
    return 'neither';
  if (error.httpStatus === undefined) return 'unreachable';
  return error.httpStatus >= 500 ? 'failing' : 'up';
};

interface Circuit {
  failures: number;
  /** The package of the run's first failure, and whether another package's failed since. */
  firstSubject: number | undefined;
  manySubjects: boolean;
  /** A failure of the run had no answer at all: the host, not one package, is in trouble. */
  unreachable: boolean;
  /** Epoch ms until which no request goes; undefined while closed. */
  openUntil: number | undefined;
  /** A probe is under way after the cool-down: others wait for its verdict. */
  probing: boolean;
}

/**
 * One circuit per tenant, in the warm instance: after a run of host failures from one tenant's
 * SigningHub its requests are refused at once (CircuitOpenError) for a cool-down, then one probe
 * goes; its success closes the circuit, its failure opens it for another cool-down. Per tenant,
 * not per host: most tenants share SigningHub's cloud host, and one tenant's outage (its own
 * host, its own certificate) must not refuse the others.
 */
export class TenantCircuits {
  readonly #options: CircuitOptions;
  readonly #circuits = new Map<string, Circuit>();

  constructor(options: CircuitOptions) {
    this.#options = options;
  }

  /** True when the tenant's circuit is open now (its work is handed back without a request). */
  isOpen(tenant: string): boolean {
    const circuit = this.#circuits.get(tenant);
    if (circuit?.openUntil === undefined) return false;
    return circuit.probing || circuit.openUntil > this.#options.now();
  }

  /** Whether a request may go now; after the cool-down, the first caller is the probe. */
  #admit(tenant: string): boolean {
    const circuit = this.#circuits.get(tenant);
    if (circuit?.openUntil === undefined) return true;
    if (circuit.probing || circuit.openUntil > this.#options.now()) return false;
    circuit.probing = true;
    return true;
  }

  #record(tenant: string, verdict: Verdict, probe: boolean, subject: number): void {
    const circuit = this.#circuits.get(tenant) ?? {
      failures: 0,
      firstSubject: undefined,
      manySubjects: false,
      unreachable: false,
      openUntil: undefined,
      probing: false,
    };
    if (probe) circuit.probing = false;
    if (verdict === 'up') {
      this.#circuits.delete(tenant);
      return;
    }
    if (verdict !== 'neither') {
      circuit.failures += 1;
      circuit.unreachable ||= verdict === 'unreachable';
      circuit.firstSubject ??= subject;
      circuit.manySubjects ||= circuit.firstSubject !== subject;
      // One package's 5xx, however often, may be that package's own trouble: the host is
      // taken for down only when it also failed another package, or did not answer at all.
      const hostDown = circuit.unreachable || circuit.manySubjects;
      if (probe || (hostDown && circuit.failures >= this.#options.failuresToOpen)) {
        circuit.openUntil = this.#options.now() + this.#options.coolDownMs;
      }
    }
    this.#circuits.set(tenant, circuit);
  }

  /**
   * One request of the tenant's, about one package (the subject): refused at once while its
   * circuit is open, its outcome counted.
   */
  async call<T>(
    tenant: string,
    operation: string,
    subject: number,
    send: () => Promise<T>,
  ): Promise<T> {
    const probe = this.#circuits.get(tenant)?.openUntil !== undefined;
    if (!this.#admit(tenant)) {
      throw new CircuitOpenError(operation, {
        message: `not sent: tenant ${tenant}'s SigningHub failed ${this.#options.failuresToOpen} times in a row; trying again after a cool-down`,
      });
    }
    try {
      const result = await send();
      this.#record(tenant, 'up', probe, subject);
      return result;
    } catch (error) {
      this.#record(tenant, verdictOf(error), probe, subject);
      throw error;
    }
  }

  /** The tenant's finish behind its circuit. */
  guardFinish(tenant: string, port: FinishPort): FinishPort {
    return {
      finishPackage: (packageId: number, options: CallOptions) =>
        this.call(tenant, 'finish', packageId, () => port.finishPackage(packageId, options)),
    };
  }

  /** The tenant's workflow reads behind its circuit. */
  guardWorkflow(tenant: string, port: WorkflowPort): WorkflowPort {
    return {
      getWorkflow: (
        packageId: number,
        options: Pick<CallOptions, 'signal' | 'onRequestSent'>,
      ): Promise<WorkflowDetails | undefined> =>
        this.call(tenant, 'workflow', packageId, () => port.getWorkflow(packageId, options)),
    };
  }

  /** The tenant's documents behind its circuit: the workflow read, and each download's answer. */
  guardDocuments(tenant: string, port: DocumentsPort): DocumentsPort {
    return {
      getPackageDocuments: (packageId: number, options: Pick<CallOptions, 'signal'>) =>
        this.call(tenant, 'workflow', packageId, () =>
          port.getPackageDocuments(packageId, options),
        ),
      downloadDocument: (
        packageId: number,
        documentId: number,
        options: Pick<CallOptions, 'scope' | 'signal'>,
      ) =>
        this.call(tenant, 'document', packageId, () =>
          port.downloadDocument(packageId, documentId, options),
        ),
    };
  }
}

/**
 * The circuits of a warm instance, at module scope (a tenant's run of failures outlives the
 * invocation that saw it), and only with tenants configured: without TENANTS_SECRET_PREFIX a
 * deployment behaves as it did before tenants, with no circuit.
 */
export const instanceCircuits = (
  tenantsSecretPrefix: string | undefined,
): TenantCircuits | undefined =>
  tenantsSecretPrefix === undefined
    ? undefined
    : new TenantCircuits({ ...DEFAULT_CIRCUIT_OPTIONS, now: Date.now });
