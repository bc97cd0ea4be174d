import { execFile } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { callbackTryText, curlLines } from '../../dev/callback-try.ts';
import { findPackageId } from '../../lib/callback/callback-package-id.ts';
import { closeAll, type Receiver, startReceiver } from '../harness/simulator-client.ts';

// `npm run simulator -- callback-url`: lines a user pastes into a shell, as the callback reads them.

const sh = (line: string) =>
  new Promise<{ code: number; stdout: string; stderr: string }>((resolve) => {
    execFile('sh', ['-c', line], { timeout: 30_000 }, (error, stdout, stderr) => {
      resolve({ code: error ? Number(error.code ?? 1) : 0, stdout, stderr });
    });
  });

let receiver: Receiver;
beforeAll(async () => {
  receiver = await startReceiver();
});
afterAll(closeAll);

describe('curlLines', () => {
  it('call the callback URL, secret and all, in three ways that each name the package', async () => {
    const lines = curlLines(receiver.url, 4711);
    expect(lines).toHaveLength(3);

    for (const line of lines) {
      const run = await sh(line);
      expect(run, line).toMatchObject({ code: 0, stderr: '' });
      expect(run.stdout).toBe('{}\n');
    }

    const path = new URL(receiver.url).pathname;
    expect(receiver.requests.map((request) => request.method)).toEqual(['GET', 'POST', 'POST']);
    for (const request of receiver.requests) {
      const url = new URL(request.url, receiver.url);
      expect(url.pathname).toBe(path);
      const search = await findPackageId({
        query: Object.fromEntries(url.searchParams),
        contentType: request.headers['content-type'],
        body: request.body === '' ? undefined : request.body,
      });
      expect(search, `${request.method} ${request.url} ${request.body}`).toEqual({
        ok: true,
        packageId: 4711,
      });
    }
    expect(receiver.requests[1]?.headers['content-type']).toBe('application/json');
    expect(receiver.requests[2]?.headers['content-type']).toBe('application/xml');
    expect(receiver.requests[2]?.body).toContain('<DocumentID>4711</DocumentID>');
  });

  it('quotes a URL for the shell, whatever it holds', () => {
    const [query] = curlLines("http://127.0.0.1:3000/signinghub/callback/it's", 5);
    expect(query).toBe(
      "curl -sS -w '\\n' 'http://127.0.0.1:3000/signinghub/callback/it'\\''s?package_id=5'",
    );
  });
});

describe('callbackTryText', () => {
  it('shows the URL first, warns about its secret, then the lines', () => {
    const text = callbackTryText(receiver.url, 9);
    const lines = text.split('\n');

    expect(lines[0]).toBe(receiver.url);
    expect(text).toContain('The URL holds the callback secret');
    expect(lines.filter((line) => line.startsWith('  curl '))).toHaveLength(3);
    expect(text.endsWith('\n')).toBe(true);
  });
});
