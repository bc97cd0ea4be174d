import { setTimeout as delay } from 'node:timers/promises';
import type { LogScanner } from './log-scanner.ts';
import type { ServerErrorTrap } from './server-error-trap.ts';
import { observeSigningHub, type SigningHubObserver } from './signinghub-observer.ts';
import type { Workload } from './workload.ts';

export interface SoakObserverOptions {
  readonly baseUrl: string;
  readonly scanner: LogScanner;
  readonly workload: Workload;
  readonly trap: ServerErrorTrap;
  readonly signingHubTimeoutMs: number;
}

export interface SoakObserver {
  readonly observer: SigningHubObserver;
  /** Packages SigningHub has answered a finish for with 200. */
  readonly finishedPackages: ReadonlySet<number>;
  /** `<packageId>|<scope or ->` of the finishes answered after the function's timeout. */
  readonly lateAnswerKeys: ReadonlySet<string>;
  lateAnswersServed(): number;
}

/** The observer with SigningHub's side of the faults: late answers, the restart's transient one. */
export const watchSigningHub = (options: SoakObserverOptions): SoakObserver => {
  const { workload, trap } = options;
  const finishedPackages = new Set<number>();
  const outagePackages = new Set(workload.faults.outagePackages);
  const lateAnswers = new Map(workload.lateAnswers);
  const lateAnswerKeys = new Set<string>();
  let lateAnswersServed = 0;
  const observer = observeSigningHub({
    baseUrl: options.baseUrl,
    onToken: (token) => options.scanner.addToken(token),
    onFinishAnswered: (packageId, _scope, status) => {
      if (status === 200) finishedPackages.add(packageId);
    },
    beforeFinishAnswer: (packageId, scope, { status, headers }) => {
      // A transient answer the function retries at once (not a package SigningHub keeps
      // failing, whose 5xx may be the last try, nor a Retry-After too long to wait for).
      const retriedAtOnce =
        (status === 500 ||
          status === 503 ||
          (status === 429 && headers.get('retry-after') === '1')) &&
        !outagePackages.has(packageId);
      const held = retriedAtOnce ? trap.spring() : undefined;
      if (held) return held;
      const left = lateAnswers.get(packageId) ?? 0;
      if (status !== 200 || left === 0) return undefined;
      lateAnswers.set(packageId, left - 1);
      lateAnswerKeys.add(`${packageId}|${scope === '' ? '-' : scope}`);
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
