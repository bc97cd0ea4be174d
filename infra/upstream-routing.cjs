// The upstream EventBridge rule and its queue policy exist only when a bus is configured. The
// choice is made here, while `serverless package` resolves variables and the parameter is known,
// rather than by a CloudFormation condition comparing two strings fixed at packaging time.
/** @param {import('./monitoring-settings.cjs').VariableSources} sources */
module.exports = async ({ resolveVariable }) => {
  const bus = await resolveVariable('param:upstreamEventBusName');
  if (typeof bus !== 'string' || bus.trim() === '') return {};
  return resolveVariable('file(./infra/upstream-routing.yml)');
};
