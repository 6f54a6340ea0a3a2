// Micro-batching: the calls made during one event-loop turn (the requests whose bytes arrived in one poll
// phase) are run as ONE synchronous batch right after it (setImmediate), and each call gets its own slice
// of the results, in order. A model call has a fixed cost (~25 µs for this ONNX model) far above its cost
// per row, so under load the rows of a turn share it; at low rates a turn holds one call and the batch is
// that call, one loop hop later. A failed run fails every call of its batch with the same error.

interface Call<I, O> {
  readonly items: readonly I[];
  readonly resolve: (results: readonly O[]) => void;
  readonly reject: (error: unknown) => void;
}

/** What a batch run reports: how long the run took and how many calls and items shared it. */
export interface BatchReport {
  readonly seconds: number;
  readonly calls: number;
  readonly items: number;
}

export interface MicroBatchOptions<I, O> {
  /** Runs the items of every call of the batch at once; one result per item, in order. Synchronous. */
  readonly run: (items: readonly I[]) => readonly O[];
  /** Most items in one run: a call that does not fit starts the next batch (which runs right after). */
  readonly maxItems: number;
  /** Told after every run, successful or not. */
  readonly onRun?: (report: BatchReport) => void;
}

export class MicroBatch<I, O> {
  private readonly options: MicroBatchOptions<I, O>;
  private open: Call<I, O>[] | undefined;
  private openItems = 0;

  constructor(options: MicroBatchOptions<I, O>) {
    this.options = options;
  }

  /** Joins the batch of this turn; resolves with this call's results. */
  add(items: readonly I[]): Promise<readonly O[]> {
    return new Promise((resolve, reject) => {
      if (this.open === undefined || this.openItems + items.length > this.options.maxItems) this.startBatch();
      this.open?.push({ items, resolve, reject });
      this.openItems += items.length;
    });
  }

  private startBatch(): void {
    const calls: Call<I, O>[] = [];
    this.open = calls;
    this.openItems = 0;
    setImmediate(() => {
      if (this.open === calls) this.open = undefined;
      this.runBatch(calls);
    });
  }

  private runBatch(calls: readonly Call<I, O>[]): void {
    const items = calls.length === 1 ? (calls[0]?.items ?? []) : calls.flatMap((c) => c.items);
    const started = process.hrtime.bigint();
    let results: readonly O[];
    try {
      results = this.options.run(items);
      if (results.length !== items.length) throw new Error(`a batch run returned ${results.length} results for ${items.length} items`);
    } catch (error) {
      this.report(started, calls.length, items.length);
      for (const call of calls) call.reject(error);
      return;
    }
    this.report(started, calls.length, items.length);
    let at = 0;
    for (const call of calls) {
      call.resolve(calls.length === 1 ? results : results.slice(at, at + call.items.length));
      at += call.items.length;
    }
  }

  private report(started: bigint, calls: number, items: number): void {
    this.options.onRun?.({ seconds: Number(process.hrtime.bigint() - started) / 1e9, calls, items });
  }
}
