import { spawnSync } from 'node:child_process';
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  localClientConfig,
  packageRefOfEvent,
  readPublishedEvents,
  requireSimulator,
  simulatorRequest,
  tableClient,
} from '../../ops/stack-client.ts';
import {
  isAlive,
  localDir,
  REPO_DIR,
  readStateFile,
  removeStackState,
  requireRunningStack,
  type StackState,
  stateFile,
  writeStackState,
} from '../../ops/stack-state.ts';
import { textTable } from '../../ops/text-table.ts';

let dir: string;
let server: Server;
let serverUrl: string;
const requests: { method: string; type: string | undefined; body: string }[] = [];

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'stack-files-'));
  server = createServer((request, response) => {
    let body = '';
    request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
    request.on('end', () => {
      requests.push({ method: request.method ?? '', type: request.headers['content-type'], body });
      const answers: Record<string, [number, string]> = {
        '/json': [200, '{"ok":true}'],
        '/text': [503, 'busy'],
        '/empty': [204, ''],
      };
      const [status, text] = answers[request.url ?? ''] ?? [404, ''];
      response.writeHead(status);
      response.end(text);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  serverUrl = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  await new Promise((resolve) => server?.close(resolve));
  await rm(dir, { recursive: true, force: true });
});

const state = (more: Partial<StackState> = {}) =>
  ({
    region: 'eu-west-1',
    dynamoDbEndpoint: 'http://127.0.0.1:8000',
    signingHubUrl: 'https://signinghub.example.com/api',
    simulatorUrl: undefined,
    eventsFile: join(dir, 'events.jsonl'),
    awsCredentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    ...more,
  }) as StackState;

describe("the local stack's files", () => {
  it('reads the recorded completion events, skipping blank lines and one cut short', async () => {
    const events = join(dir, 'events.jsonl');
    const one = { id: 'e1', busName: 'local', source: 's', detailType: 't', detail: {}, at: 'x' };
    await writeFile(events, `${JSON.stringify(one)}\n\n{"id":"e2","bus`);
    expect(await readPublishedEvents(state({ eventsFile: events }))).toEqual([one]);
    expect(await readPublishedEvents(state({ eventsFile: join(dir, 'none.jsonl') }))).toEqual([]);
  });

  it("reads a completion event's package and tenant, when it has a number and a tenant id for them", () => {
    const event = (detail: unknown) => ({
      id: '',
      busName: '',
      source: '',
      detailType: '',
      detail,
      at: '',
    });
    const mine = { tenant: 'default', packageId: 42 };
    expect(packageRefOfEvent(event({ packageId: 42 }))).toEqual(mine);
    expect(packageRefOfEvent(event({ packageId: 42, tenant: null }))).toEqual(mine);
    expect(packageRefOfEvent(event({ packageId: 42, tenant: 'default' }))).toEqual(mine);
    expect(packageRefOfEvent(event({ packageId: 42, tenant: 'acme' }))).toEqual({
      tenant: 'acme',
      packageId: 42,
    });
    expect(packageRefOfEvent(event({ packageId: 42, tenant: 'Acme' }))).toBeUndefined();
    expect(packageRefOfEvent(event({ packageId: 42, tenant: 7 }))).toBeUndefined();
    expect(packageRefOfEvent(event({ packageId: '42' }))).toBeUndefined();
    expect(packageRefOfEvent(event({}))).toBeUndefined();
    expect(packageRefOfEvent(event(null))).toBeUndefined();
    expect(packageRefOfEvent(event('42'))).toBeUndefined();
  });

  it('writes the state for its owner only, reads it back, and removes it', async () => {
    await writeStackState(dir, { pid: 1, ready: true });
    expect((await stat(stateFile(dir))).mode & 0o777).toBe(0o600);
    expect(await readStateFile(dir)).toEqual({ pid: 1, ready: true });
    await writeFile(stateFile(dir), '{"pid":');
    expect(await readStateFile(dir)).toBeUndefined();
    await removeStackState(dir);
    expect(await readStateFile(dir)).toBeUndefined();
  });

  it('finds the folder from LOCAL_DIR, relative to the repository, or .local', async () => {
    expect(REPO_DIR).toBe(join(fileURLToPath(new URL('../..', import.meta.url)), '/'));
    expect((await stat(join(REPO_DIR, 'package.json'))).isFile()).toBe(true);
    expect(localDir({})).toBe(join(REPO_DIR, '.local'));
    expect(localDir({ LOCAL_DIR: '  ' })).toBe(join(REPO_DIR, '.local'));
    expect(localDir({ LOCAL_DIR: ' stacks/a ' })).toBe(join(REPO_DIR, 'stacks/a'));
    expect(localDir({ LOCAL_DIR: dir })).toBe(dir);
  });

  it('knows a live process from a gone one, and a pid from something else', () => {
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    expect(isAlive(process.pid)).toBe(true);
    expect(isAlive(gone)).toBe(false);
    for (const pid of [undefined, 0, -1, 1.5]) expect(isAlive(pid)).toBe(false);
  });

  it('answers the running, ready stack, or says what to do in one line', async () => {
    const env = { LOCAL_DIR: dir };
    await removeStackState(dir);
    const notRunning =
      'the local stack is not running: start it with `npm start` (in another terminal) and try again';
    await expect(requireRunningStack(env)).rejects.toThrow(notRunning);
    const gone = spawnSync(process.execPath, ['-e', '0']).pid;
    await writeStackState(dir, { pid: gone, ready: true });
    await expect(requireRunningStack(env)).rejects.toThrow(notRunning);
    await writeStackState(dir, { pid: process.pid, ready: false });
    await expect(requireRunningStack(env)).rejects.toThrow(
      'the local stack is still starting: wait for its banner and try again',
    );
    await writeStackState(dir, { pid: process.pid, ready: true, tableName: 't' });
    expect(await requireRunningStack(env)).toMatchObject({ tableName: 't' });
  });
});

describe("the local stack's clients", () => {
  it("talks to DynamoDB Local with the stack's region and made-up keys", async () => {
    expect(localClientConfig(state())).toEqual({
      region: 'eu-west-1',
      credentials: { accessKeyId: 'local', secretAccessKey: 'local' },
    });
    const client = tableClient(state());
    try {
      expect(await client.config.endpoint?.()).toMatchObject({ hostname: '127.0.0.1', port: 8000 });
      expect(await client.config.region()).toBe('eu-west-1');
      expect(await client.config.maxAttempts()).toBe(2);
    } finally {
      client.destroy();
    }
  });

  it('asks the simulator for JSON, and keeps an answer that is not JSON as text', async () => {
    const simulator = state({ simulatorUrl: serverUrl });
    expect(await simulatorRequest(simulator, 'PUT', '/json', { mode: 'query' })).toEqual({
      status: 200,
      body: { ok: true },
    });
    expect(requests.at(-1)).toEqual({
      method: 'PUT',
      type: 'application/json',
      body: '{"mode":"query"}',
    });
    expect(await simulatorRequest(simulator, 'GET', '/text')).toEqual({
      status: 503,
      body: 'busy',
    });
    expect(requests.at(-1)).toEqual({ method: 'GET', type: undefined, body: '' });
    expect(await simulatorRequest(simulator, 'GET', '/empty')).toEqual({
      status: 204,
      body: undefined,
    });
  });

  it('says npm start drives another SigningHub than the simulator', () => {
    expect(requireSimulator(state({ simulatorUrl: serverUrl }))).toBe(serverUrl);
    expect(() => requireSimulator(state())).toThrow(
      'npm start drives the SigningHub at https://signinghub.example.com, not the simulator: ' +
        'create packages there (the simulator runs only without SigningHub settings)',
    );
  });
});

describe('textTable', () => {
  const rows = [
    ['1001', 'a|b'],
    ['2', ''],
  ];

  it('pads columns, trimming the end of each line', () => {
    expect(textTable(['ID', 'NOTE'], rows)).toBe('ID    NOTE\n1001  a|b\n2');
  });

  it('writes compact Markdown, its pipes escaped', () => {
    expect(textTable(['ID', 'NOTE'], rows, 'markdown')).toBe(
      '| ID | NOTE |\n| --- | --- |\n| 1001 | a\\|b |\n| 2 |  |',
    );
  });

  it('pads a row shorter than the header as if its missing cells were empty', () => {
    const short = [['1001'], ['2', 'x', 'y']];
    expect(textTable(['ID', 'NOTE', 'AT'], short)).toBe('ID    NOTE  AT\n1001\n2     x     y');
    expect(textTable(['ID', 'NOTE', 'AT'], short, 'aligned-markdown')).toBe(
      '| ID   | NOTE | AT |\n|------|------|----|\n| 1001 |      |    |\n| 2    | x    | y  |',
    );
  });

  it('writes Markdown aligned to read as text', () => {
    expect(textTable(['ID', 'NOTE'], rows, 'aligned-markdown')).toBe(
      '| ID   | NOTE |\n|------|------|\n| 1001 | a\\|b |\n| 2    |      |',
    );
  });
});
