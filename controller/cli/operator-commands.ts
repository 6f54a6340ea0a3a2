// The operator's commands that talk to a running controller's API (status, history, overrides).
import type { Command } from 'commander';
import { registerHistoryCommand } from './history-command.js';
import { registerResumeCommand, registerRollforwardCommand } from './optional-reason-commands.js';
import { registerPauseCommand } from './pause-command.js';
import { registerRollbackCommand } from './rollback-command.js';
import { registerStatusCommand } from './status-command.js';

export function registerOperatorCommands(program: Command): void {
  registerStatusCommand(program);
  registerHistoryCommand(program);
  registerRollbackCommand(program);
  registerRollforwardCommand(program);
  registerPauseCommand(program);
  registerResumeCommand(program);
}
