import { relative } from 'node:path';
import type { LocalSettings } from './local-settings.ts';
import { EVENT_BUS_NAME, STAGE, TABLE_NAME } from './local-settings.ts';

export interface BannerFacts {
  readonly settings: LocalSettings;
  readonly readySeconds: number;
  readonly finishFunctionName: string;
  readonly tableCreated: boolean;
  /** A package id no earlier run has used, for the example commands. */
  readonly examplePackageId: number;
  readonly logFile: string;
}

/** A path as the user would type it from the project folder. */
export const shownPath = (path: string): string => {
  const from = relative(process.cwd(), path);
  return from === '' ? '.' : from.startsWith('..') ? path : from;
};

/** What runs where, the callback URL with its secret masked, the commands, and how to stop. */
export const renderBanner = (facts: BannerFacts): string => {
  const { settings } = facts;
  const { ports, signingHub } = settings;
  const http = `http://127.0.0.1:${ports.http}`;
  const id = facts.examplePackageId;
  const rows: [string, string][] = [
    ['callback (HTTP API)', `GET|HEAD|POST ${http}/signinghub/callback/****`],
    [
      'finish (Lambda)',
      `invoke endpoint http://127.0.0.1:${ports.lambda}, function ${facts.finishFunctionName}`,
    ],
    signingHub.kind === 'simulator'
      ? [
          'SigningHub',
          `simulator ${signingHub.url}; when a package's last signer finishes it calls the ` +
            `callback (${signingHub.callbackMode})`,
        ]
      : ['SigningHub', `${signingHub.url} (your account, from ${shownPath(settings.envFile)})`],
    [
      'DynamoDB Local',
      `http://127.0.0.1:${ports.dynamoDb}, table ${TABLE_NAME}` +
        `${facts.tableCreated ? ' (created now)' : ''}, data in ${shownPath(settings.dir)}/dynamodb`,
    ],
    [
      'completion events',
      `table stream → functions/publish.ts (in this process) → EventBridge emulator ` +
        `http://127.0.0.1:${ports.eventBridge}, bus ${EVENT_BUS_NAME}`,
    ],
    ['logs', `below; serverless-offline's whole output in ${shownPath(facts.logFile)}`],
  ];
  const width = Math.max(...rows.map(([name]) => name.length));
  const commands =
    signingHub.kind === 'simulator'
      ? [
          `npm run simulator -- package ${id} --signers alice@example.com,bob@example.com`,
          `npm run event -- ${id} alice@example.com`,
          `npm run event -- ${id} bob@example.com`,
          `npm run status -- ${id}          (no id: newest packages first; --json for machines)`,
          'npm run simulator -- callback webhook    (how the simulator calls back: query, webhook, report, off)',
          `npm run simulator -- fail ${id} 500 --times 4   (failures to watch: a status, timeout, drop)`,
          'npm run simulator -- callback-url       (the callback URL, secret and all, and curl lines)',
          'npm run <command> -- --help             (every command says what it takes)',
        ]
      : [
          'npm run event -- <packageId> <signerEmail>',
          'npm run status -- [packageId]     (no id: newest packages first; --json for machines)',
          'npm run simulator -- callback-url (the callback URL, secret and all, and curl lines)',
        ];
  const remoteNote =
    signingHub.kind === 'remote'
      ? [
          '',
          ` SigningHub cannot call 127.0.0.1: expose port ${ports.http} (a tunnel) and register`,
          '   https://<public host>/signinghub/callback/<CALLBACK_SECRET> with SigningHub;' +
            (settings.callbackSecretGiven
              ? ' the secret is CALLBACK_SECRET.'
              : ' set CALLBACK_SECRET in .env for a URL that lasts (this run made its own).'),
          '   Without a callback, the reconciler (every 15 minutes) confirms packages left in progress.',
        ]
      : [];
  const rule = '─'.repeat(78);
  return [
    rule,
    ` signinghub-finish runs locally (stage ${STAGE}), ready in ${facts.readySeconds.toFixed(1)} s`,
    '',
    ...rows.map(([name, value]) => ` ${name.padEnd(width)}  ${value}`),
    ...remoteNote,
    '',
    ' Try it (in another terminal):',
    ...commands.map((command) => `   ${command}`),
    '',
    ' Stop: Ctrl-C stops everything started here (DynamoDB Local, serverless-offline, the rest).',
    rule,
  ].join('\n');
};
