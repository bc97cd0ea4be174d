import { archiveCommand } from '../archive-command.ts';
import { targetOpener } from '../open-target.ts';
import { runCommand } from '../run-command.ts';

runCommand(() => archiveCommand(process.argv.slice(2), targetOpener(process.env), process));
