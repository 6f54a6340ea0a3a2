import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import type { Logger } from 'pino';
import { FileStateStore, JsonlHistoryLog } from '../adapters/journal/index.js';
import type { HistoryRecord } from '../runtime/history.js';
import { RUNTIME_STATE_VERSION, validateRuntimeState, type RuntimeState } from '../runtime/runtime-state.js';

// The runtime's two files in the state directory: state.json (atomic, replaced on every change) and
// history.jsonl (append-only audit trail of rollbacks and roll-forwards).

export async function openStorage(stateDir: string, logger?: Logger): Promise<{ store: FileStateStore<RuntimeState>; history: JsonlHistoryLog<HistoryRecord> }> {
  await mkdir(stateDir, { recursive: true, mode: 0o700 });
  const store = new FileStateStore<RuntimeState>({ path: join(stateDir, 'state.json'), version: RUNTIME_STATE_VERSION, validate: validateRuntimeState });
  const history = new JsonlHistoryLog<HistoryRecord>({
    path: join(stateDir, 'history.jsonl'),
    onWarning: (w) => logger?.warn({ path: w.path, line: w.line, problem: w.problem }, 'history line skipped'),
  });
  return { store, history };
}
