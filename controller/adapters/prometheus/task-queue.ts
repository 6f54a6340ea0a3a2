// Small async helpers of the metrics source: a bounded task queue and a sleep a signal cuts short.

/** Runs the queue's tasks, at most `limit` at once; tasks may add more tasks while it runs. */
export async function drain(queue: (() => Promise<void>)[], limit: number): Promise<void> {
  let active = 0;
  const running = new Set<Promise<void>>();
  const start = (): void => {
    while (active < limit && queue.length > 0) {
      const task = queue.shift();
      if (task === undefined) return;
      active += 1;
      const run: Promise<void> = task().finally(() => {
        active -= 1;
        running.delete(run);
        start();
      });
      running.add(run);
    }
  };
  start();
  while (running.size > 0) await Promise.race(running);
}

export function abortableSleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal?.aborted === true) {
      resolve();
      return;
    }
    const done = (): void => {
      clearTimeout(timer);
      signal?.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal?.addEventListener('abort', done, { once: true });
  });
}
