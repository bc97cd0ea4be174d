/*
 * What keeps a flood of invented tenant names from becoming a flood of Secrets Manager calls: the
 * names found missing, remembered for a while in a map of bounded size, and a per-minute budget of
 * lookups of names not yet known.
 */

/** Names whose secret did not exist, each until its time is up; the oldest go first when full. */
export class AbsentNames {
  readonly #until = new Map<string, number>();
  readonly #capacity: number;
  readonly #keepMs: number;
  readonly #now: () => number;

  constructor(capacity: number, keepMs: number, now: () => number) {
    this.#capacity = capacity;
    this.#keepMs = keepMs;
    this.#now = now;
  }

  get size(): number {
    return this.#until.size;
  }

  /** True while `name` was found missing less than the keeping time ago. */
  has(name: string): boolean {
    const until = this.#until.get(name);
    if (until === undefined) return false;
    if (until > this.#now()) return true;
    this.#until.delete(name);
    return false;
  }

  add(name: string): void {
    if (this.#keepMs <= 0 || this.#capacity <= 0) return;
    this.#until.delete(name);
    // A Map iterates in insertion order: the first key is the oldest.
    while (this.#until.size >= this.#capacity) {
      const [oldest] = this.#until.keys();
      if (oldest === undefined) break;
      this.#until.delete(oldest);
    }
    this.#until.set(name, this.#now() + this.#keepMs);
  }
}

const MINUTE_MS = 60_000;

/** At most `perMinute` lookups in each minute of the clock; past that, none until the next. */
export class LookupBudget {
  readonly #perMinute: number;
  readonly #now: () => number;
  #minute = Number.NaN;
  #used = 0;
  #refused = 0;

  constructor(perMinute: number, now: () => number) {
    this.#perMinute = perMinute;
    this.#now = now;
  }

  /** Spends one lookup: false (and nothing spent) when this minute's are all spent. */
  take(): boolean {
    const minute = Math.floor(this.#now() / MINUTE_MS);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#used = 0;
      this.#refused = 0;
    }
    if (this.#used >= this.#perMinute) {
      this.#refused += 1;
      return false;
    }
    this.#used += 1;
    return true;
  }

  /** The lookups refused so far this minute (1 after the first: worth one log line). */
  get refused(): number {
    return this.#refused;
  }
}
