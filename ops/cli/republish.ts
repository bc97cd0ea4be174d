import { targetOpener } from '../open-target.ts';
import { republish } from '../republish-command.ts';
import { runCommand } from '../run-command.ts';

runCommand(() => republish(process.argv.slice(2), targetOpener(process.env), process));
