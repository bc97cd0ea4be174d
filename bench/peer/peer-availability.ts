/** Why the peer cannot run on this install, or undefined when it can. */
export const peerUnavailable = async (): Promise<string | undefined> => {
  try {
    await import('@aws-lambda-powertools/batch');
    await import('@aws-lambda-powertools/idempotency/dynamodb');
    return undefined;
  } catch (error) {
    const reason =
      error instanceof Error ? (error.message.split('\n')[0] ?? error.name) : 'unknown';
    // Powertools' install line: `npm i @aws-lambda-powertools/idempotency @aws-sdk/lib-dynamodb`.
    return `${reason} (the idempotency utility needs @aws-sdk/lib-dynamodb installed beside it)`;
  }
};
