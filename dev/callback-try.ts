import { completionReport } from '../harness/simulator/callbacks.ts';

/** A value in single quotes for a POSIX shell. */
const quoted = (text: string): string => `'${text.replaceAll("'", `'\\''`)}'`;

/** Three ways SigningHub calls back, as curl lines: the query, a JSON body, an XML report. */
export const curlLines = (callbackUrl: string, packageId: number): string[] => {
  const query = new URL(callbackUrl);
  query.searchParams.set('package_id', String(packageId));
  const post = (type: string, body: string) =>
    `curl -sS -w '\\n' -X POST -H 'content-type: ${type}' --data ${quoted(body)} ${quoted(callbackUrl)}`;
  return [
    `curl -sS -w '\\n' ${quoted(query.toString())}`,
    post(
      'application/json',
      JSON.stringify({ package_id: packageId, package_status: 'COMPLETED' }),
    ),
    post('application/xml', completionReport(packageId)),
  ];
};

/** What `npm run simulator -- callback-url` prints: the URL with its secret, and how to call it. */
export const callbackTryText = (callbackUrl: string, packageId: number): string =>
  [
    callbackUrl,
    '',
    'The URL holds the callback secret (npm start masks it): keep it out of tickets and chats.',
    `Each line below calls the callback for package ${packageId} as SigningHub would; the ` +
      'callback records the call, confirms the package with SigningHub and answers its status:',
    ...curlLines(callbackUrl, packageId).map((line) => `  ${line}`),
    '',
  ].join('\n');
