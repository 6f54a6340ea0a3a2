// `guardrail run`: the controller daemon. Reads the configuration (file + GUARDRAIL_* environment), starts
// the runtime and the HTTP API, and shuts down cleanly on SIGTERM/SIGINT; SIGHUP reloads the policies.

import type { Command } from 'commander';
import { writeErr } from './terminal.js';

export function registerRunCommand(program: Command): void {
  program
    .command('run')
    .description('Run the controller daemon: evaluate policies, roll back, serve the API (see docs/configuration.md)')
    .option('-c, --config <file>', 'YAML/JSON configuration file (GUARDRAIL_* environment variables override it)')
    .action(async (options: { config?: string }) => {
      // Loaded only when `run` is used: the daemon pulls in the runtime, dockerode and every
      // adapter, and every operator command (status, rollback, ...) would otherwise pay for them at start-up.
      const { ConfigError, loadConfig } = await import('../config.js');
      const { startDaemon } = await import('../main.js');
      let config;
      try {
        config = loadConfig(options.config === undefined ? {} : { configFile: options.config });
      } catch (error) {
        if (!(error instanceof ConfigError)) throw error;
        writeErr(`guardrail run: ${error.message}\n`);
        process.exitCode = 2;
        return;
      }
      const daemon = await startDaemon(config);
      let signals = 0;
      const shutdown = (signal: NodeJS.Signals): void => {
        signals += 1;
        if (signals > 1) {
          daemon.logger.warn({ signal }, 'second signal: exiting now');
          process.exit(130);
        }
        daemon.logger.info({ signal }, 'signal received');
        void daemon.stop().then(
          () => process.exit(0),
          (error: unknown) => {
            daemon.logger.error({ err: error }, 'shutdown failed');
            process.exit(1);
          },
        );
      };
      process.on('SIGTERM', shutdown);
      process.on('SIGINT', shutdown);
      process.on('SIGHUP', () => {
        daemon.logger.info('SIGHUP: reloading policies');
        void daemon.runtime.reloadPolicies();
      });
    });
}
