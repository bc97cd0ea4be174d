import middy from '@middy/core';
import httpErrorHandler from '@middy/http-error-handler';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import { createDynamoDbTable, lazySecretsManager } from '../lib/aws/clients.ts';
import { callbackSecretReader } from '../lib/aws/secrets.ts';
import type { CallbackDependencies } from '../lib/callback/handle-callback.ts';
import { handleCallback } from '../lib/callback/handle-callback.ts';
import { redactedCallbackPath } from '../lib/callback/redact.ts';
import { loadCallbackConfig } from '../lib/config.ts';
import { ANSWER_EARLY_MS } from '../lib/invocation-timeline.ts';
import { metricsTo } from '../lib/metrics.ts';
import { signingHubClientFrom } from '../lib/signinghub/client-from-config.ts';
import { DynamoDbPackageStore } from '../lib/store/dynamodb-package-store.ts';
import { DynamoDbRejectedStore } from '../lib/store/dynamodb-rejected-store.ts';
import { DynamoDbTenantRegistry } from '../lib/store/dynamodb-tenant-registry.ts';
import { SYSTEM } from '../lib/system.ts';
import { callbackTenants, functionTenantDirectory } from '../lib/tenants/tenant-sides.ts';
import { handlerPowertools } from './powertools.ts';

const { log, emf, lambdaContext, flushMetrics } = handlerPowertools();
const metrics = metricsTo(emf);
const config = loadCallbackConfig(process.env);
const table = createDynamoDbTable(config);
const signingHub = signingHubClientFrom(config.signingHub, lazySecretsManager, metrics, { log });
const prefix = config.tenantsSecretPrefix;
const deps: CallbackDependencies = {
  packages: new DynamoDbPackageStore(table),
  rejected: new DynamoDbRejectedStore(table),
  signingHub,
  callbackSecret: callbackSecretReader(
    config.callbackSecret,
    lazySecretsManager,
    config.secretMaxAgeSeconds,
  ),
  now: SYSTEM.now,
  metrics,
  // Tenants other than default, looked up by a name from the internet within a bound.
  tenants:
    prefix === undefined
      ? undefined
      : callbackTenants({
          table,
          registry: new DynamoDbTenantRegistry(table),
          directory: functionTenantDirectory(config, signingHub, { metrics, log }),
          now: SYSTEM.now,
          metrics,
          log,
        }),
};

const answerCallback = async (
  event: APIGatewayProxyEventV2,
  _context: unknown,
  { signal }: { signal: AbortSignal },
): Promise<APIGatewayProxyStructuredResultV2> => {
  const method = event.requestContext.http.method.toUpperCase();
  log.info('callback received', { method, path: redactedCallbackPath(event.rawPath) });
  // serverless-offline sends `body: null` for a request without one, whatever the type says.
  const body =
    event.body === undefined || event.body === null
      ? undefined
      : event.isBase64Encoded
        ? Buffer.from(event.body, 'base64').toString('utf8')
        : event.body;
  const response = await handleCallback(
    {
      method,
      tenant: event.pathParameters?.tenant,
      secret: event.pathParameters?.secret,
      query: event.queryStringParameters ?? {},
      contentType: event.headers['content-type'],
      body,
      requestId: event.requestContext.requestId,
    },
    deps,
    log,
    signal,
  );
  return response.body === undefined
    ? { statusCode: response.statusCode }
    : {
        statusCode: response.statusCode,
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify(response.body),
      };
};

export const handler = middy<APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2>({
  timeoutEarlyInMillis: ANSWER_EARLY_MS,
})
  .use(lambdaContext)
  .use(
    httpErrorHandler({
      logger: (error) => log.error('callback failed', { error }),
      fallbackMessage: 'Internal Server Error',
    }),
  )
  // Last, so its onError runs first: the error handler's answer cannot skip the flush.
  .use(flushMetrics)
  .handler(answerCallback);
