import { targetOpener } from '../open-target.ts';
import { redriveCommand } from '../redrive-command.ts';
import { runCommand } from '../run-command.ts';

runCommand(() => redriveCommand(process.argv.slice(2), targetOpener(process.env), process));
