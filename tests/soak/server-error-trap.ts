export interface ServerErrorTrap {
  /** Whether SigningHub answered a finish with 5xx or 429 in `timeoutMs`; held until `release`. */
  wait(timeoutMs: number): Promise<boolean>;
  /** Lets the answer held back go on to the function. */
  release(): void;
  /** Called with each transient answer: while someone waits, the promise holds that answer. */
  spring(): Promise<void> | undefined;
}

/** DynamoDB Local stops as SigningHub answers 5xx or 429, so a retry is recorded meanwhile. */
export const createServerErrorTrap = (): ServerErrorTrap => {
  let armed: { readonly trigger: () => void; readonly held: Promise<void> } | undefined;
  let release = () => {};
  return {
    wait: async (timeoutMs) => {
      const held = new Promise<void>((resolve) => {
        release = resolve;
      });
      const sprung = await new Promise<boolean>((resolve) => {
        armed = { trigger: () => resolve(true), held };
        setTimeout(() => resolve(false), timeoutMs);
      });
      armed = undefined;
      return sprung;
    },
    release: () => release(),
    spring: () => {
      if (!armed) return undefined;
      const { trigger, held } = armed;
      armed = undefined;
      trigger();
      return held;
    },
  };
};
