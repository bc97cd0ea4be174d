import type { Machine } from '../machine.ts';
import type { Verdict } from './report.ts';

/** "Targets: 8 of 10 met; missed: …; not measured: …." with or without the figures. */
export const targetsLine = (verdicts: readonly Verdict[], withFigures: boolean): string => {
  const met = verdicts.filter((verdict) => verdict.met === true).length;
  const missed = verdicts.filter((verdict) => verdict.met === false);
  const unmeasured = verdicts.filter((verdict) => verdict.met === undefined);
  const describe = ({ target, text }: Verdict) =>
    withFigures ? `${target}, ${text.replaceAll('**', '')}` : target;
  return (
    `Targets: ${met} of ${verdicts.length} met` +
    (missed.length > 0 ? `; missed: ${missed.map(describe).join('; ')}` : '') +
    (unmeasured.length > 0
      ? `; not measured: ${unmeasured.map(({ target }) => target).join('; ')}`
      : '') +
    '.'
  );
};

/** When and where the figures were taken, and whether the machine was busy with other work. */
export const conditionsLine = (
  machine: Machine,
  loadAtStart: number,
  seconds: number,
  limitSeconds: number,
): string => {
  const busy = loadAtStart > machine.cores / 2;
  return (
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds.toFixed(0)} s` +
    (seconds > limitSeconds ? ` (**over the ${limitSeconds} s budget**)` : '') +
    `. Machine: ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory, ` +
    `${machine.cpuModel}, Node ${machine.node}. 1-minute load average when the run started: ` +
    `${loadAtStart.toFixed(2)}` +
    (busy
      ? ': other work was running on the machine, so absolute figures are noisy; the ratios, ' +
        'measured side by side in interleaved rounds, much less so.'
      : '.')
  );
};
