import { afterAll } from 'vitest';
import { captureOutput, type OutputCapture } from './output-capture.ts';

export interface FileStack<Stack> {
  readonly stack: Stack;
  /** Everything printed from the start of the stack on. */
  readonly output: OutputCapture;
}

/** Starts a stack for a whole test file, capturing what is printed; both stop after its tests. */
export const startForFile = async <Stack extends { stop(): Promise<void> }>(
  start: () => Promise<Stack>,
): Promise<FileStack<Stack>> => {
  const output = captureOutput();
  let stack: Stack;
  try {
    stack = await start();
  } catch (error) {
    output.stop();
    throw error;
  }
  afterAll(async () => {
    output.stop();
    await stack.stop();
  });
  return { stack, output };
};
