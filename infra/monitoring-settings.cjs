// The monitoring parameters of a packaging (issue 12), checked while `serverless package` resolves
// them: infra/alarm-definitions.cjs and infra/dashboard.cjs read their thresholds and periods from
// here. README's alarm table says why each default is what it is.
const { readArchiveSettings } = require('./archive-settings.cjs');
const { wholeNumber } = require('./whole-number.cjs');

/**
 * What osls hands a `${file(x.cjs)}` that exports a function (osls's variables/sources/file.js).
 * @typedef {{ resolveVariable: (address: string) => Promise<unknown> }} VariableSources
 */

/** What the numeric parameters may be: whole numbers in [min, max]. */
const NUMBERS = /** @type {const} */ ({
  signingHubMaxConcurrency: [2, 1000], // the range of ScalingConfig.MaximumConcurrency
  deadLetterAlarmThreshold: [1, 1_000_000],
  deadLetterAlarmPeriodSeconds: [60, 86_400],
  signingQueueAgeAlarmSeconds: [60, 1_209_600],
  signingQueueAgeAlarmPeriodSeconds: [60, 86_400],
  signingQueueAgeAlarmEvaluationPeriods: [1, 1_440],
  functionErrorsAlarmThreshold: [1, 1_000_000],
  functionThrottlesAlarmThreshold: [1, 1_000_000],
  functionAlarmPeriodSeconds: [60, 86_400],
  publishIteratorAgeAlarmSeconds: [1, 604_800],
  publishIteratorAgeAlarmPeriodSeconds: [60, 86_400],
  callback5xxAlarmThreshold: [1, 1_000_000],
  callback5xxAlarmPeriodSeconds: [60, 86_400],
  callbackUnauthorisedAlarmThreshold: [1, 1_000_000],
  callbackUnauthorisedAlarmPeriodSeconds: [60, 86_400],
  finishFailedAlarmThreshold: [1, 1_000_000],
  finishFailedAlarmPeriodSeconds: [60, 86_400],
  archiveQueueAgeAlarmSeconds: [60, 1_209_600],
  archiveFailedAlarmThreshold: [1, 1_000_000],
  archiveFailedAlarmPeriodSeconds: [60, 86_400],
});

/** @typedef {keyof typeof NUMBERS} NumberName */

/**
 * A packaging's monitoring settings: the numeric parameters, checked, and the names they apply to.
 * @typedef {Readonly<Record<NumberName, number>> & {
 *   readonly stackName: string,
 *   readonly stage: string,
 *   readonly metricsService: string,
 *   readonly alarmEmail: string,
 *   readonly alarmTopicArn: string,
 *   readonly archive: import('./archive-settings.cjs').ArchiveSettings,
 * }} Settings
 */

/**
 * @param {NumberName} name
 * @param {unknown} value
 */
const checkedNumber = (name, value) => {
  const number = wholeNumber(name, value, NUMBERS[name]);
  // CloudWatch takes periods of 10, 30 or any multiple of 60 seconds; these metrics come by minute.
  if (name.endsWith('PeriodSeconds') && number % 60 !== 0) {
    throw new Error(`the parameter ${name} must be a multiple of 60 seconds, not ${number}`);
  }
  return number;
};

/** @param {unknown} value */
const optionalText = (value) => String(value ?? '').trim();

/**
 * The monitoring parameters of this packaging, checked. The `service` dimension of the custom
 * metrics is read from the functions' own POWERTOOLS_SERVICE_NAME, so the alarms read what the
 * functions write.
 * @param {VariableSources['resolveVariable']} resolveVariable
 * @returns {Promise<Settings>}
 */
const readSettings = async (resolveVariable) => {
  const stage = String(await resolveVariable('sls:stage'));
  /** @type {[NumberName, number][]} */
  const numbers = [];
  for (const name of /** @type {NumberName[]} */ (Object.keys(NUMBERS))) {
    numbers.push([name, checkedNumber(name, await resolveVariable(`param:${name}`))]);
  }
  const settings = {
    // Object.fromEntries cannot know that every NumberName is there; the loop above puts each.
    .../** @type {Record<NumberName, number>} */ (Object.fromEntries(numbers)),
    stackName: `${await resolveVariable('self:service')}-${stage}`,
    stage,
    metricsService: String(
      await resolveVariable('self:provider.environment.POWERTOOLS_SERVICE_NAME'),
    ),
    alarmEmail: optionalText(await resolveVariable('param:alarmEmail')),
    alarmTopicArn: optionalText(await resolveVariable('param:alarmTopicArn')),
    // Whether the archive, and so its alarms and graphs, exist, and its function's settings.
    archive: await readArchiveSettings(resolveVariable),
  };
  const ageWindow =
    settings.signingQueueAgeAlarmPeriodSeconds * settings.signingQueueAgeAlarmEvaluationPeriods;
  if (ageWindow > 86_400) {
    throw new Error(
      `the signing queue age alarm evaluates ${ageWindow} s; CloudWatch allows a day`,
    );
  }
  return settings;
};

module.exports = { readSettings };
