// @ts-nocheck (until this file is typed: infra/ is type-checked, tsconfig.json checkJs)
// The upstream EventBridge rule and its queue policy exist only when a bus is configured. The
// choice is made here, while `serverless package` resolves variables and the parameter is known,
// rather than by a CloudFormation condition comparing two strings fixed at packaging time.
module.exports = async ({ resolveVariable }) => {
  const bus = await resolveVariable('param:upstreamEventBusName');
  if (typeof bus !== 'string' || bus.trim() === '') return {};
  return resolveVariable('file(./infra/upstream-routing.yml)');
};
