import {
  CreateSecretCommand,
  DeleteSecretCommand,
  ListSecretVersionIdsCommand,
  PutSecretValueCommand,
  RestoreSecretCommand,
  SecretsManagerClient,
  UpdateSecretVersionStageCommand,
} from '@aws-sdk/client-secrets-manager';
import { startMotoServer } from '../../harness/moto-server.ts';
import { startAwsCallRecorder } from './aws-call-recorder.ts';
import { motoClientConfig } from './moto-deploy.ts';

/**
 * Secrets Manager as moto serves it on loopback: it moves AWSCURRENT and AWSPREVIOUS itself, as
 * AWS does, on PutSecretValue and UpdateSecretVersionStage. The operator's side is this object's
 * methods, through a client of its own; the functions' side is `endpoint`, where a recorder in
 * front of moto counts what they read.
 */
export interface MotoSecrets {
  /** Give this to the functions as AWS_ENDPOINT_URL_SECRETS_MANAGER. */
  readonly endpoint: string;
  /** The GetSecretValue calls made through `endpoint` for this secret (and staging label). */
  reads(secretId: string, stage?: 'AWSCURRENT' | 'AWSPREVIOUS'): number;
  create(name: string, value: string): Promise<void>;
  /** `aws secretsmanager put-secret-value`: the new value is AWSCURRENT, the old AWSPREVIOUS. */
  put(name: string, value: string): Promise<void>;
  /** `update-secret-version-stage --remove-from-version-id`: AWSPREVIOUS off its version. */
  removePrevious(name: string): Promise<void>;
  /** `delete-secret` with a recovery window: every read fails until `restore`. */
  markDeleted(name: string): Promise<void>;
  restore(name: string): Promise<void>;
  stop(): Promise<void>;
}

export const startMotoSecrets = async (region = 'us-east-1'): Promise<MotoSecrets> => {
  const moto = await startMotoServer();
  const recorder = await startAwsCallRecorder(moto.endpoint);
  const operator = new SecretsManagerClient(motoClientConfig(moto, region));
  return {
    endpoint: recorder.endpoint,
    reads: (secretId, stage) =>
      recorder.calls.filter(
        ({ action, input }) =>
          action === 'secretsmanager:GetSecretValue' &&
          input.SecretId === secretId &&
          (stage === undefined || (input.VersionStage ?? 'AWSCURRENT') === stage),
      ).length,
    create: async (name, value) => {
      await operator.send(new CreateSecretCommand({ Name: name, SecretString: value }));
    },
    put: async (name, value) => {
      await operator.send(new PutSecretValueCommand({ SecretId: name, SecretString: value }));
    },
    removePrevious: async (name) => {
      const { Versions: versions = [] } = await operator.send(
        new ListSecretVersionIdsCommand({ SecretId: name }),
      );
      const previous = versions.find((version) => version.VersionStages?.includes('AWSPREVIOUS'));
      if (previous?.VersionId === undefined) throw new Error(`${name} has no AWSPREVIOUS`);
      await operator.send(
        new UpdateSecretVersionStageCommand({
          SecretId: name,
          VersionStage: 'AWSPREVIOUS',
          RemoveFromVersionId: previous.VersionId,
        }),
      );
    },
    markDeleted: async (name) => {
      await operator.send(new DeleteSecretCommand({ SecretId: name, RecoveryWindowInDays: 7 }));
    },
    restore: async (name) => {
      await operator.send(new RestoreSecretCommand({ SecretId: name }));
    },
    stop: async () => {
      operator.destroy();
      await recorder.close();
      await moto.stop();
    },
  };
};
