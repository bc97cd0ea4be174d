// A whole-number parameter of a packaging, checked against its range: what `--param` gives is a
// string, what serverless.yml gives a number. infra/monitoring-settings.cjs and
// infra/archive-settings.cjs check theirs with it.

/**
 * @param {string} name the parameter's name, for the message
 * @param {unknown} value
 * @param {readonly [number, number]} range the least and the most it may be
 */
const wholeNumber = (name, value, [min, max]) => {
  const number = typeof value === 'number' ? value : Number(String(value).trim());
  if (value === '' || !Number.isInteger(number) || number < min || number > max) {
    throw new Error(
      `the parameter ${name} must be a whole number from ${min} to ${max}, not "${value}"`,
    );
  }
  return number;
};

module.exports = { wholeNumber };
