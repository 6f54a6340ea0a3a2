// `guardrail` command line. Subcommands register themselves from their own files (policy, status, ...).
import { Command } from 'commander';
import { registerOperatorCommands } from './operator-commands.js';
import { registerPolicyCommands } from './policy-command.js';
import { registerRunCommand } from './run.js';

const program = new Command('guardrail')
  .description('Guardrail: rolls an ML prediction service back to its baseline model when it hurts users')
  .showHelpAfterError();

registerPolicyCommands(program);
registerRunCommand(program);
registerOperatorCommands(program);

await program.parseAsync(process.argv);
