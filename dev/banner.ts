import { relative } from 'node:path';
import type { LocalArchiveState } from './local-archive.ts';
import type { LocalSettings } from './local-settings.ts';
import { EVENT_BUS_NAME, STAGE, TABLE_NAME } from './local-settings.ts';
import type { StackTenant } from './local-tenants.ts';

export interface BannerFacts {
  readonly settings: LocalSettings;
  readonly readySeconds: number;
  readonly finishFunctionName: string;
  readonly tableCreated: boolean;
  /** A package id no earlier run has used, for the example commands. */
  readonly examplePackageId: number;
  readonly logFile: string;
  /** The tenants besides default. */
  readonly tenants: readonly StackTenant[];
  readonly archive: LocalArchiveState;
}

/** A path as the user would type it from the project folder. */
export const shownPath = (path: string): string => {
  const from = relative(process.cwd(), path);
  return from === '' ? '.' : from.startsWith('..') ? path : from;
};

const GRANTS = { password: 'password grant', client_credentials: 'client credentials' } as const;

/** Who the stack serves: default, and each tenant with where its settings are. */
const tenantRows = (facts: BannerFacts): [string, string][] => {
  const { settings, tenants } = facts;
  const defaultTenant =
    settings.signingHub.kind === 'simulator'
      ? "the simulator's default enterprise, password grant, settings in the functions' environment"
      : `your SigningHub's enterprise, password grant, settings from ${shownPath(settings.envFile)}`;
  return [
    ['tenants', `default: ${defaultTenant}`],
    ...tenants.map((tenant): [string, string] => [
      '',
      `${tenant.name}: the simulator's enterprise ${tenant.name}, ${GRANTS[tenant.grantType]}, ` +
        `settings in the secret ${tenant.secretName}`,
    ]),
  ];
};

/** What runs where, the callback URLs with their secrets masked, the commands, and how to stop. */
export const renderBanner = (facts: BannerFacts): string => {
  const { settings, tenants } = facts;
  const { ports, signingHub } = settings;
  const http = `http://127.0.0.1:${ports.http}`;
  const id = facts.examplePackageId;
  const rows: [string, string][] = [
    ...tenantRows(facts),
    ['callback (HTTP API)', `GET|HEAD|POST ${http}/signinghub/callback/****`],
    ...tenants.map((tenant): [string, string] => [
      '',
      `GET|HEAD|POST ${http}/signinghub/tenants/${tenant.name}/callback/****  (${tenant.name})`,
    ]),
    [
      'finish (Lambda)',
      `invoke endpoint http://127.0.0.1:${ports.lambda}, function ${facts.finishFunctionName}`,
    ],
    signingHub.kind === 'simulator'
      ? [
          'SigningHub',
          `simulator ${signingHub.url}; when a package's last signer finishes it calls the ` +
            `callback of the package's tenant (${signingHub.callbackMode})`,
        ]
      : ['SigningHub', `${signingHub.url} (your account, from ${shownPath(settings.envFile)})`],
    [
      'Secrets Manager',
      `stand-in http://127.0.0.1:${ports.secrets} (not moto): the tenants' settings, which the ` +
        'functions read through the AWS SDK',
    ],
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
    [
      'archive',
      `completion events → ArchiveQueue (in this process) → functions/archive.ts → S3 stand-in ` +
        `http://127.0.0.1:${ports.s3} (not moto), bucket ${facts.archive.bucket}: the signed ` +
        `PDFs in ${shownPath(facts.archive.folder)}/<tenant>/<packageId>/`,
    ],
    ['logs', `below; serverless-offline's whole output in ${shownPath(facts.logFile)}`],
  ];
  const archived = shownPath(facts.archive.folder);
  const width = Math.max(...rows.map(([name]) => name.length));
  const tenant = tenants[0]?.name;
  const commands =
    signingHub.kind === 'simulator'
      ? [
          `npm run simulator -- package ${id} --signers alice@example.com,bob@example.com`,
          `npm run event -- ${id} alice@example.com`,
          `npm run event -- ${id} bob@example.com`,
          `ls ${archived}/default/${id}/   (its signed PDF, archived once it completed)`,
          ...(tenant === undefined
            ? []
            : [
                `npm run simulator -- package ${id} --signers carol@example.com --tenant ${tenant}` +
                  `   (${tenant}'s ${id}: another package)`,
                `npm run event -- ${id} carol@example.com --tenant ${tenant}`,
                `ls ${archived}/${tenant}/${id}/`,
              ]),
          `npm run status -- ${id}          (no id: newest packages of every tenant; --json for machines)`,
          'npm run simulator -- callback webhook    (how the simulator calls back: query, webhook, report, off)',
          `npm run simulator -- fail ${id} 500 --times 4   (failures to watch: a status, timeout, drop)`,
          'npm run simulator -- callback-url       (the callback URL, secret and all, and curl lines)',
          'npm run <command> -- --help             (every command says what it takes, --tenant too)',
        ]
      : [
          'npm run event -- <packageId> <signerEmail>',
          `ls ${archived}/default/<packageId>/   (the signed PDFs of a package that completed)`,
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
