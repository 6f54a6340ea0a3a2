// Serialises everything that happens to one target: ticks, manual operations, webhook events and the
// actuation results they lead to. One queue per target means the engine always decides on the state the
// previous event left, so a manual rollback racing an automatic one is decided after it (and refused),
// never beside it: exactly one switch.

export class TargetQueue {
  private tail: Promise<unknown> = Promise.resolve();
  private pending = 0;

  /** Runs `job` after every job queued before it; its failure does not stop later jobs. */
  run<T>(job: () => Promise<T>): Promise<T> {
    this.pending += 1;
    const result = this.tail.then(job, job);
    this.tail = result.then(
      () => this.done(),
      () => this.done(),
    );
    return result;
  }

  /** Jobs queued or running. */
  get size(): number {
    return this.pending;
  }

  /** Resolves when every job queued so far has finished. */
  async idle(): Promise<void> {
    while (this.pending > 0) await this.tail;
  }

  private done(): void {
    this.pending -= 1;
  }
}

/** One queue per target name, created on first use. */
export class TargetQueues {
  private readonly queues = new Map<string, TargetQueue>();

  for(target: string): TargetQueue {
    let queue = this.queues.get(target);
    if (queue === undefined) {
      queue = new TargetQueue();
      this.queues.set(target, queue);
    }
    return queue;
  }

  async idle(): Promise<void> {
    await Promise.all([...this.queues.values()].map((q) => q.idle()));
  }
}
