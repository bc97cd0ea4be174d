import { CloudFormationClient } from '@aws-sdk/client-cloudformation';
import type { Environment } from '../lib/config.ts';
import { UserError } from './user-error.ts';

/**
 * How an operator command talks to AWS: the region it chose, and the SDK's own default chain for
 * everything else (AWS_PROFILE, the environment's keys, SSO, the shared files, the instance's
 * role), AWS_ENDPOINT_URL[_<SERVICE>] included, as the AWS CLI finds them.
 */
export interface AwsSession {
  readonly region: string;
  /** Give it to every client: `new SQSClient(session.clientConfig)`. */
  readonly clientConfig: { readonly region: string };
}

// Stryker disable all: the SDK's own lookup of the profile's region, which needs a real profile
// to answer anything but the test run's AWS_REGION; resolveRegion is tested with a stand-in for it
/** The region the SDK finds in the profile's config (AWS_PROFILE, ~/.aws/config), if any. */
const profileRegion = async (): Promise<string | undefined> => {
  const probe = new CloudFormationClient({});
  try {
    const region = await probe.config.region();
    return region === '' ? undefined : region;
  } catch {
    return undefined;
  } finally {
    probe.destroy();
  }
};
// Stryker restore all

const nonEmpty = (value: string | undefined): string | undefined =>
  value === undefined || value.trim() === '' ? undefined : value.trim();

/**
 * The region as the AWS CLI picks it: `--region`, then AWS_REGION, then AWS_DEFAULT_REGION, then
 * the profile's `region`; none is a one-line UserError saying how to give one.
 */
export const resolveRegion = async (
  given: string | undefined,
  env: Environment,
  fromProfile: () => Promise<string | undefined> = profileRegion,
): Promise<string> => {
  const region =
    nonEmpty(given) ??
    nonEmpty(env.AWS_REGION) ??
    nonEmpty(env.AWS_DEFAULT_REGION) ??
    (await fromProfile());
  if (region === undefined) {
    throw new UserError(
      'no AWS region: pass --region <region>, or set AWS_REGION, or give your profile a region ' +
        '(aws configure)',
    );
  }
  return region;
};

export const openAwsSession = async (
  given: string | undefined,
  env: Environment,
): Promise<AwsSession> => {
  const region = await resolveRegion(given, env);
  return { region, clientConfig: { region } };
};
