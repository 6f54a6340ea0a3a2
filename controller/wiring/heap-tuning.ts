import { setFlagsFromString } from 'node:v8';

// How far V8 lets the controller's heap grow before it collects. V8's default lets the old generation grow
// to 3-4 × what is live when collecting is cheap: at 1000 targets ~45 MiB live became a 250 MiB peak RSS
// (bench:scale, docs/performance.md "Where a 1000-target tick went"). Each tick allocates tens of MiB that
// die young, so a smaller growth step costs a few more full collections and keeps the peak near what is
// live. Set once, by the process that runs the controller (startDaemon: `guardrail run`, `npm start`, the
// image), never by the CLI's other commands; the bench's scale worker calls it too, so it measures what ships.

/** The growth step, in percent of the live old generation, the controller's heap may grow by before a full GC. */
export const CONTROLLER_HEAP_GROWING_PERCENT = 50;

let tuned = false;

/** Whether node was started with its own growth step (`node --heap-growing-percent=N bin/guardrail.js run`): it wins. */
export function growthStepGiven(execArgv: readonly string[] = process.execArgv): boolean {
  return execArgv.some((arg) => /^--heap[-_]growing[-_]percent\b/.test(arg));
}

/**
 * Applies the controller's heap settings to this process (V8 reads the growth step whenever it sets the
 * next full GC's limit, so setting it at start-up takes effect). Idempotent; an operator's own flag is kept.
 */
export function tuneControllerHeap(): void {
  if (tuned) return;
  tuned = true;
  if (!growthStepGiven()) setFlagsFromString(`--heap-growing-percent=${CONTROLLER_HEAP_GROWING_PERCENT}`);
}
