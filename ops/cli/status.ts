import { targetOpener } from '../open-target.ts';
import { runCommand } from '../run-command.ts';
import { status } from '../status-command.ts';

runCommand(() => status(process.argv.slice(2), targetOpener(process.env), process));
