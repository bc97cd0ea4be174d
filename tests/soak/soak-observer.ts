import { setTimeout as delay } from 'node:timers/promises';
import type { LogScanner } from './log-scanner.ts';
import type { ServerErrorTrap } from './server-error-trap.ts';
import { observeSigningHub, type SigningHubObserver } from './signinghub-observer.ts';
import { type PackageRef, packageRef } from './tenant-mix.ts';
import type { Workload } from './workload.ts';

export interface SoakObserverOptions {
  readonly baseUrl: string;
  readonly httpsBaseUrl: string | undefined;
  readonly scanner: LogScanner;
  readonly workload: Workload;
  readonly trap: ServerErrorTrap;
  readonly signingHubTimeoutMs: number;
  /** True while a tenant's host is down: its 503s are the outage's, not a transient fault's. */
  readonly hostDown: (tenant: string) => boolean;
}

export interface SoakObserver {
  readonly observer: SigningHubObserver;
  /** Packages SigningHub has answered a finish for with 200. */
  readonly finishedPackages: ReadonlySet<PackageRef>;
  /** `<tenant>/<packageId>|<scope or ->` of the finishes answered after the function's timeout. */
  readonly lateAnswerKeys: ReadonlySet<string>;
  lateAnswersServed(): number;
}

/** The observer with SigningHub's side of the faults: late answers, the restart's transient one. */
export const watchSigningHub = (options: SoakObserverOptions): SoakObserver => {
  const { workload, trap } = options;
  const finishedPackages = new Set<PackageRef>();
  const outagePackages = new Set(workload.faults.outagePackages);
  const lateAnswers = new Map(workload.lateAnswers);
  const lateAnswerKeys = new Set<string>();
  let lateAnswersServed = 0;
  const observer = observeSigningHub({
    baseUrl: options.baseUrl,
    httpsBaseUrl: options.httpsBaseUrl,
    onToken: (token) => options.scanner.addToken(token),
    onFinishAnswered: ({ tenant, packageId }, status) => {
      if (status === 200) finishedPackages.add(packageRef(tenant, packageId));
    },
    beforeFinishAnswer: ({ tenant, packageId, scope }, { status, headers }) => {
      const ref = packageRef(tenant, packageId);
      // A transient answer the function retries at once (not a package SigningHub keeps
      // failing, whose 5xx may be the last try, nor a Retry-After too long to wait for, nor a
      // host that is down, whose circuit opens).
      const retriedAtOnce =
        (status === 500 ||
          status === 503 ||
          (status === 429 && headers.get('retry-after') === '1')) &&
        !outagePackages.has(ref) &&
        !options.hostDown(tenant);
      const held = retriedAtOnce ? trap.spring() : undefined;
      if (held) return held;
      const left = lateAnswers.get(ref) ?? 0;
      if (status !== 200 || left === 0) return undefined;
      lateAnswers.set(ref, left - 1);
      lateAnswerKeys.add(`${ref}|${scope === '' ? '-' : scope}`);
      lateAnswersServed += 1;
      // SigningHub has done the work; the function's timeout fires before it hears so.
      return delay(options.signingHubTimeoutMs + 200);
    },
  });
  return {
    observer,
    finishedPackages,
    lateAnswerKeys,
    lateAnswersServed: () => lateAnswersServed,
  };
};
