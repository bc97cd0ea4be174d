type Cleanup = () => Promise<void> | void;

export interface Cleanups {
  add(cleanup: Cleanup): void;
  /** Runs every cleanup, the last added first; one that fails does not stop the others. */
  run(onFailure: (error: unknown) => void): Promise<void>;
}

/** What a run must undo, gathered as it starts things, so a failure halfway undoes only those. */
export const createCleanups = (): Cleanups => {
  const cleanups: Cleanup[] = [];
  return {
    add: (cleanup) => {
      cleanups.push(cleanup);
    },
    run: async (onFailure) => {
      for (const cleanup of cleanups.reverse()) {
        try {
          await cleanup();
        } catch (error) {
          onFailure(error);
        }
      }
    },
  };
};
