import { monitorEventLoopDelay } from 'node:perf_hooks';
import type { EventSourceMapping } from './event-source-mapping.ts';
import type { SqsQueue } from './sqs-emulation.ts';

export interface ProgressOptions {
  readonly startedAt: number;
  readonly queue: SqsQueue;
  readonly mapping: EventSourceMapping;
  readonly settledShare: () => number;
  readonly say: (line: string) => void;
  /** More of the line: the archive's queue. */
  readonly more?: () => string;
}

/** A progress line every 5 s with the event loop's worst delay since the last; answers its stop. */
export const reportProgress = (options: ProgressOptions): (() => void) => {
  const { queue, mapping } = options;
  let lastReport = Date.now();
  const recentDelay = monitorEventLoopDelay({ resolution: 10 });
  recentDelay.enable();
  const timer = setInterval(() => {
    const now = Date.now();
    if (now - lastReport < 5_000) return;
    lastReport = now;
    options.say(
      `soak: ${Math.round(options.settledShare() * 100)}% settled, ${queue.size()} queued, ` +
        `${queue.deadLetters.length} dead-lettered, ${mapping.stats.invocations} invocations, ` +
        `${Math.round((now - options.startedAt) / 1000)} s, event loop delay up to ` +
        `${Math.round(recentDelay.max / 1e6)} ms${options.more ? `; ${options.more()}` : ''}`,
    );
    recentDelay.reset();
  }, 1_000);
  return () => {
    clearInterval(timer);
    recentDelay.disable();
  };
};
