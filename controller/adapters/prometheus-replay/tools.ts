// Finds promtool and prometheus on PATH. Without them, raw-series scenarios cannot run: the error says how
// to get them (Debian's `prometheus` package ships both), and per-condition scenarios still run.

import { constants } from 'node:fs';
import { access } from 'node:fs/promises';
import { delimiter, join } from 'node:path';
import { ReplayUnavailableError } from '../../ports/series-replay.js';

export interface ReplayTools {
  readonly promtool: string;
  readonly prometheus: string;
}

async function onPath(name: string, path: string): Promise<string | undefined> {
  for (const dir of path.split(delimiter).filter((d) => d !== '')) {
    const candidate = join(dir, name);
    try {
      await access(candidate, constants.X_OK);
      return candidate;
    } catch {
      // not in this folder
    }
  }
  return undefined;
}

export const HOW_TO_GET_THE_TOOLS =
  'raw-series scenarios (input_series) are evaluated by a real Prometheus: `promtool` and `prometheus` must be on PATH. ' +
  'On Debian or Ubuntu: `sudo apt-get install prometheus` (it ships both); elsewhere: the prometheus-<version>.<os>-<arch>.tar.gz ' +
  'release from the Prometheus download page, whose folder holds both binaries (add it to PATH). ' +
  'Scenarios with per-condition `series:` need neither.';

export async function findReplayTools(path: string = process.env['PATH'] ?? ''): Promise<ReplayTools> {
  const [promtool, prometheus] = await Promise.all([onPath('promtool', path), onPath('prometheus', path)]);
  if (promtool === undefined || prometheus === undefined) {
    const missing = [promtool === undefined ? 'promtool' : undefined, prometheus === undefined ? 'prometheus' : undefined].filter((x) => x !== undefined);
    throw new ReplayUnavailableError(`${missing.join(' and ')} not found on PATH. ${HOW_TO_GET_THE_TOOLS}`);
  }
  return { promtool, prometheus };
}
