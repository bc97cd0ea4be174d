import { type Interval, pairedRatios, quantile, ratioInterval } from '../stats.ts';
import type { Variant } from '../warm/rounds.ts';
import type { VariantSummary } from '../warm/summary.ts';
import { emfShown, fixed, micros, ms, perEvent, span } from './format.ts';
import type { Report } from './report.ts';

/** The functions measured warm besides finish, and what one invocation of each is. */
export const OTHER_FUNCTIONS = {
  callback: 'one GET from SigningHub, confirmed with the workflow API',
  publish: 'a batch of completion records, one EventBridge event each',
  reconcile: 'one run that finds and confirms stale packages',
} as const satisfies Partial<Record<Variant, string>>;

/**
 * A function's CPU per invocation in floor events: the floor's CPU for one finish event in the
 * same round is the unit, which moves with the machine and its load as the functions do.
 */
export const inFloorEvents = (summary: VariantSummary, floor: VariantSummary): Interval =>
  ratioInterval(pairedRatios(summary.cpuPerInvocation, floor.cpuPerEvent));

/** CPU, requests, logs and latency per invocation for callback, publish and reconcile. */
export const functionRows = (
  report: Report,
  warm: ReadonlyMap<Variant, VariantSummary>,
  events: { readonly eventBridgePuts: number },
): void => {
  const floor = warm.get('floor');
  for (const [name, what] of Object.entries(OTHER_FUNCTIONS) as [Variant, string][]) {
    const r = warm.get(name);
    if (!r || r.invocations === 0) continue;
    const perInvocation = r.invocations / r.events;
    const unit = fixed(r.events / r.invocations, 0);
    const inFloor = floor ? inFloorEvents(r, floor) : undefined;
    report.add({
      measure: `warm \`${name}\`: CPU per invocation (${what}; ${unit} per invocation here)`,
      ours:
        micros(r.cpuMicros / r.invocations) +
        (inFloor
          ? ` = ${fixed(inFloor.estimate)} floor events (95%: ${span(inFloor, (v) => fixed(v))})`
          : ''),
    });
    report.add({
      measure: `warm \`${name}\`: wall time per invocation, p50 / p99`,
      ours: `${ms(quantile(r.latenciesMs, 0.5))} / ${ms(quantile(r.latenciesMs, 0.99))}`,
    });
    const external =
      name === 'publish'
        ? `EventBridge events ${fixed(events.eventBridgePuts / r.requestInvocations)}`
        : `SigningHub workflow ${fixed(r.workflows / r.requestInvocations)}`;
    report.add({
      measure: `\`${name}\`: requests per invocation`,
      ours: `DynamoDB ${perEvent(r.dynamoDb, r.requestInvocations)}; ${external}`,
    });
    report.add({
      measure: `\`${name}\`: log bytes per invocation, every line (EMF blobs)`,
      ours:
        `${fixed(r.logBytes / r.invocations, 0)} B in ${fixed(r.logLines / r.invocations, 1)} lines ` +
        `(${emfShown(r.emfBlobs, r.invocations)})`,
    });
    if (r.failures > 0) {
      report.add({
        measure: `**\`${name}\`: failed units (${fixed(perInvocation)} invocations per unit)**`,
        ours: String(r.failures),
      });
    }
  }
};
