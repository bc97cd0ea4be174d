import { targetOpener } from '../open-target.ts';
import { reconcile } from '../reconcile-command.ts';
import { runCommand } from '../run-command.ts';

runCommand(() => reconcile(process.argv.slice(2), targetOpener(process.env), process));
