/** What `npm start -- --help` says: it takes no arguments, only settings. */
export const START_COMMAND = {
  name: 'start',
  synopsis: '[--help]',
  summary: [
    'Runs the whole stack on this machine until Ctrl-C: DynamoDB Local, the SigningHub simulator',
    'with two tenants (default, and acme on the client-credentials grant) or your SigningHub, a',
    "Secrets Manager stand-in holding the tenants' settings, the functions under serverless-offline",
    'and the completion events.',
    'It takes no arguments: settings come from .env or the environment, SIGNINGHUB_BASE_URL and',
    'the four SIGNINGHUB_ credentials (your SigningHub instead of the simulator), CALLBACK_SECRET,',
    'LOCAL_CALLBACK_MODE (query, webhook, report), SIGNINGHUB_TIMEOUT_MS and the ports',
    'LOCAL_HTTP_PORT (3000), LOCAL_LAMBDA_PORT (3002), LOCAL_DYNAMODB_PORT (8000),',
    'LOCAL_SIMULATOR_PORT (3010), LOCAL_EVENTBRIDGE_PORT (3011), LOCAL_SECRETS_PORT (3012); from',
    'the environment only, LOCAL_DIR (the data folder, .local) and LOCAL_ENV_FILE (.env).',
  ].join('\n'),
  options: {},
  flags: {},
  examples: [
    'npm start',
    'LOCAL_CALLBACK_MODE=webhook npm start',
    'LOCAL_DIR=/tmp/stack2 LOCAL_HTTP_PORT=4000 LOCAL_LAMBDA_PORT=4002 LOCAL_DYNAMODB_PORT=8100 \\',
    '  LOCAL_SIMULATOR_PORT=4010 LOCAL_EVENTBRIDGE_PORT=4011 LOCAL_SECRETS_PORT=4012 npm start',
    '  (a second stack)',
  ],
  positionals: false,
} as const;
