// `guardrail` command line. Subcommands register themselves from their own files (policy, status, ...).
import { Command } from 'commander';

const program = new Command('guardrail')
  .description('Guardrail: rolls an ML prediction service back to its baseline model when it hurts users')
  .showHelpAfterError();

await program.parseAsync(process.argv);
