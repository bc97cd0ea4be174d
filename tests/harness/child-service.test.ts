import { spawn } from 'node:child_process';
import { describe, expect, it } from 'vitest';
import { stopChild } from '../../harness/child-service.ts';

const timers = () => process.getActiveResourcesInfo().filter((kind) => kind === 'Timeout').length;

describe('stopChild', () => {
  it('stops a child that heeds SIGTERM, and leaves no timer of its grace behind', async () => {
    const before = timers();
    const child = spawn(process.execPath, ['-e', 'setInterval(() => {}, 1000)'], {
      stdio: 'ignore',
    });
    await new Promise((resolve) => child.once('spawn', resolve));
    await stopChild(child, 60_000);
    expect(child.signalCode).toBe('SIGTERM');
    // A grace timer left running would hold the process (and Vitest's servers) for a minute.
    expect(timers()).toBe(before);
  });

  it('kills a child that ignores SIGTERM once the grace is over', async () => {
    const child = spawn(
      process.execPath,
      ['-e', "process.on('SIGTERM', () => {}); console.log('ready'); setInterval(() => {}, 1000)"],
      { stdio: ['ignore', 'pipe', 'ignore'] },
    );
    await new Promise((resolve) => child.stdout.once('data', resolve));
    await stopChild(child, 200);
    await new Promise((resolve) =>
      child.exitCode !== null || child.signalCode !== null
        ? resolve(undefined)
        : child.once('exit', resolve),
    );
    expect(child.signalCode).toBe('SIGKILL');
  });
});
