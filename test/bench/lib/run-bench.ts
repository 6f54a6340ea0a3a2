// Runs a benchmark (or its worker process) to the end. Node exits when only unref'd handles remain, which
// is what an in-flight fetch with AbortSignal.timeout can look like, so an interval keeps the process
// alive until `main` settles. A failure is printed, `cleanUp` runs, and the exit code is 1.
export function runBench(main: () => Promise<void>, cleanUp?: () => Promise<void>): void {
  const keepAlive = setInterval(() => undefined, 1_000);
  main()
    .catch(async (err: unknown) => {
      console.error(err);
      await cleanUp?.().catch(() => undefined);
      process.exitCode = 1;
    })
    .finally(() => clearInterval(keepAlive));
}
