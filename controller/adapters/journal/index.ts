// Durable memory (ports/state-store.ts): the atomic state file and the append-only history log.
export { FileStateStore, type FileStateStoreOptions } from './state-file.js';
export { JsonlHistoryLog, type HistoryWarning, type JsonlHistoryLogOptions } from './jsonl-history.js';
