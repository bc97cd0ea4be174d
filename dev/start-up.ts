/** Thrown into the start-up when Ctrl-C came first. */
class Interrupted extends Error {
  override name = 'Interrupted';
}

export interface StartUp {
  /** Aborted once stopping began, for a step that can be cut short. */
  readonly signal: AbortSignal;
  /** True once stopping began: no step starts any more. */
  readonly stopping: boolean;
  /** Runs a step and keeps how to stop it; none starts once stopping began, one under way ends. */
  step<T>(start: () => Promise<T>, stopper?: (value: T) => () => Promise<void>): Promise<T>;
  /** Registers how to stop something started outside a step. */
  onStop(stop: () => Promise<void>): void;
  /** Stops everything started, the last first, then runs `afterStop`; once, whoever asks. */
  stop(): Promise<void>;
}

/** The order things were started in, so that stopping (on Ctrl-C or a failure) undoes them all. */
export const createStartUp = (afterStop: () => Promise<void>): StartUp => {
  const stoppers: (() => Promise<void>)[] = [];
  let inFlight: Promise<unknown> = Promise.resolve();
  let stopping: Promise<void> | undefined;
  const interrupt = new AbortController();
  return {
    signal: interrupt.signal,
    get stopping() {
      return stopping !== undefined;
    },
    step: async (start, stopper) => {
      if (stopping) throw new Interrupted();
      const registered = start().then((value) => {
        if (stopper) stoppers.push(stopper(value));
        return value;
      });
      inFlight = registered.catch(() => undefined);
      const value = await registered;
      if (stopping) throw new Interrupted();
      return value;
    },
    onStop: (stop) => {
      stoppers.push(stop);
    },
    stop: () => {
      stopping ??= (async () => {
        interrupt.abort();
        await inFlight;
        for (const stop of stoppers.reverse()) {
          await stop().catch(() => undefined);
        }
        await afterStop();
      })();
      return stopping;
    },
  };
};
