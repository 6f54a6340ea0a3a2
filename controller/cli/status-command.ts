// `guardrail status [TARGET] [--watch [--interval 2s] [--count n]]`: every target (or one) with its phase,
// variant, active rollback, pause, holds and the evidence of the last evaluation. --watch redraws it in
// place until Ctrl-C, the same evidence the dashboard shows, from the same API.
import type { Command } from 'commander';
import type { ApiClient } from '../cli-client/api-client.js';
import { parseDuration } from '../core/duration.js';
import type { TargetStatusView } from '../ports/controller.js';
import { connect, withConnectionOptions, type ConnectionFlags } from './api-connection.js';
import { CliUsageError, describeFailure, runAction } from './cli-run.js';
import { formatStatus } from './format-status.js';
import { checkTarget } from './override-flags.js';
import { terminalJson, writeOut } from './terminal.js';

interface StatusFlags extends ConnectionFlags {
  readonly watch?: boolean;
  readonly interval?: string;
  readonly count?: string;
}

/** Home the cursor and clear the screen: each frame replaces the last one instead of scrolling. */
const CLEAR_HOME = '\u001b[H\u001b[2J';

export function registerStatusCommand(program: Command): void {
  withConnectionOptions(
    program
      .command('status')
      .description('Show every target (or TARGET): phase, variant, rollback, pause, holds, the last evidence; --watch redraws it live')
      .argument('[target]', 'only this target')
      .option('-w, --watch', 'redraw in place every --interval until Ctrl-C')
      .option('--interval <duration>', 'time between redraws with --watch (1s..1h, default 2s)')
      .option('--count <n>', 'with --watch: stop after n redraws (default: until Ctrl-C)'),
  ).action(
    runAction(async (target: string | undefined, flags: StatusFlags) => {
      if (target !== undefined) checkTarget(target);
      const watch = checkWatchFlags(flags);
      const client = await connect(flags);
      if (watch === null) {
        writeOut(await renderOnce(client, target, flags.json === true));
        return;
      }
      await watchStatus(client, target, flags.json === true, watch);
    }),
  );
}

function checkWatchFlags(flags: StatusFlags): { intervalMs: number; count: number | null } | null {
  if (flags.watch !== true) {
    if (flags.interval !== undefined || flags.count !== undefined) throw new CliUsageError('--interval and --count need --watch');
    return null;
  }
  const intervalMs = parseDuration(flags.interval ?? '2s');
  if (intervalMs === undefined || intervalMs < 1000 || intervalMs > 3_600_000) throw new CliUsageError(`--interval ${JSON.stringify(flags.interval)} is not a duration from 1s to 1h (e.g. 2s, 1m)`);
  if (flags.count === undefined) return { intervalMs, count: null };
  if (!/^[0-9]+$/.test(flags.count) || Number(flags.count) < 1) throw new CliUsageError(`--count ${JSON.stringify(flags.count)} must be a positive integer`);
  return { intervalMs, count: Number(flags.count) };
}

async function renderOnce(client: ApiClient, target: string | undefined, json: boolean): Promise<string> {
  const { targets, ready, detail } = await client.status();
  const shown = target === undefined ? targets : targets.filter((t) => t.target === target);
  if (target !== undefined && shown.length === 0) throw new Error(unknownTarget(target, targets));
  if (json) return `${terminalJson({ ready, detail, targets: shown })}\n`;
  // A controller that is starting or in safe mode says so above the table.
  const notReady = ready === false && detail !== undefined ? `controller not ready: ${detail}\n` : '';
  return `${notReady}${formatStatus(shown, Date.now())}\n`;
}

function unknownTarget(target: string, targets: readonly TargetStatusView[]): string {
  const known = targets.map((t) => t.target).join(', ');
  return `no target ${JSON.stringify(target)} in the controller's status${known === '' ? ' (no policy is loaded)' : ` (targets: ${known})`}`;
}

/** Redraws until Ctrl-C (or --count frames). A failed fetch is shown in the frame; the next one retries. */
async function watchStatus(client: ApiClient, target: string | undefined, json: boolean, watch: { intervalMs: number; count: number | null }): Promise<void> {
  let stop = false;
  let wake: (() => void) | undefined;
  const onSignal = (): void => {
    stop = true;
    wake?.();
  };
  process.once('SIGINT', onSignal);
  process.once('SIGTERM', onSignal);
  try {
    for (let frame = 1; !stop; frame += 1) {
      let body: string;
      try {
        body = await renderOnce(client, target, json);
      } catch (error) {
        body = `guardrail: ${describeFailure(error).message}\n(retrying every ${watch.intervalMs / 1000}s)\n`;
      }
      const header = `guardrail status${target === undefined ? '' : ` ${target}`} — every ${watch.intervalMs / 1000}s, ${new Date().toISOString().slice(11, 19)}Z (Ctrl-C to stop)\n\n`;
      if (process.stdout.isTTY) process.stdout.write(CLEAR_HOME);
      writeOut(header + body);
      if (watch.count !== null && frame >= watch.count) break;
      await new Promise<void>((resolve) => {
        const timer = setTimeout(resolve, watch.intervalMs);
        wake = () => {
          clearTimeout(timer);
          resolve();
        };
      });
    }
  } finally {
    process.off('SIGINT', onSignal);
    process.off('SIGTERM', onSignal);
  }
}
