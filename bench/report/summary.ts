import type { Machine } from '../machine.ts';
import type { Verdict, VerdictState } from './report.ts';

/** "Targets: 8 of 10 met; missed: …; within noise: …; not measured: …." */
export const targetsLine = (verdicts: readonly Verdict[], withFigures: boolean): string => {
  const having = (state: VerdictState) => verdicts.filter((verdict) => verdict.state === state);
  const describe = ({ target, text }: Verdict) => `${target}, ${text.replaceAll('**', '')}`;
  const part = (state: VerdictState, label: string, figures: boolean) => {
    const list = having(state);
    if (list.length === 0) return '';
    return `; ${label}: ${list.map((v) => (figures ? describe(v) : v.target)).join('; ')}`;
  };
  // Figures for the misses and the noise, in the file; the console's line stays short.
  return (
    `Targets and budgets: ${having('met').length} of ${verdicts.length} met` +
    part('missed', 'missed', withFigures) +
    part('within noise', 'within noise', withFigures) +
    part('not measured', 'not measured', false) +
    '.'
  );
};

/** When and where the figures were taken, and whether the machine was busy with other work. */
export const conditionsLine = (
  machine: Machine,
  loadAtStart: number,
  seconds: number,
  limitSeconds: number,
  affinity: string,
): string => {
  const busy = loadAtStart > machine.cores / 2;
  return (
    `Run of ${new Date().toISOString().slice(0, 16).replace('T', ' ')} UTC, ${seconds.toFixed(0)} s` +
    (seconds > limitSeconds ? ` (**over the ${limitSeconds} s budget**)` : '') +
    `. Machine: ${machine.cores} cores, ${machine.memoryGiB.toFixed(1)} GiB memory, ` +
    `${machine.cpuModel}, Node ${machine.node}. ${affinity} 1-minute load average when the run ` +
    `started: ${loadAtStart.toFixed(2)}` +
    (busy
      ? ': other work was running on the machine, so absolute figures are noisy; the ratios, ' +
        'taken round by round in interleaved rounds, much less so.'
      : '.')
  );
};
