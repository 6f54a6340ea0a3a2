// `guardrail` command line. Subcommands register themselves from their own files (policy, status, ...).
import { Command, CommanderError } from 'commander';
import { EXIT } from './cli-run.js';
import { registerOperatorCommands } from './operator-commands.js';
import { registerPolicyCommands } from './policy-command.js';
import { registerRunCommand } from './run.js';

const program = new Command('guardrail')
  .description('Guardrail: rolls an ML prediction service back to its baseline model when it hurts users')
  .showHelpAfterError()
  // Commander exits 1 on its own usage errors (unknown command or option, missing argument); 1 means
  // "the server refused" here, so they are turned into exit 2 below. Set before the subcommands are
  // added: they inherit it.
  .exitOverride();

registerPolicyCommands(program);
registerRunCommand(program);
registerOperatorCommands(program);

try {
  await program.parseAsync(process.argv);
} catch (error) {
  if (!(error instanceof CommanderError)) throw error;
  // --help and --version end with exit code 0; every other commander error is a usage error (its message
  // and the usage are already on stderr).
  process.exitCode = error.exitCode === 0 ? EXIT.ok : EXIT.usage;
}
