import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

// The machine a benchmark ran on, and how busy it was. Every bench prints the load average at its start
// and at its end, and judges its targets through `verdict`: a run that started on a machine busier than
// its cores (1-minute load average above the number of cores) measured the other processes as much as
// the code, so it never reports "MET" (it says why instead). "NOT MET" is still reported, with the load.

export function dockerServerVersion(): string {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unavailable';
  }
}

const formatLoad = (load: readonly number[]): string => load.map((l) => l.toFixed(2)).join(' ');

/** The load average when the bench started, and the verdicts it allows. Create it first thing in main(). */
export class BenchLoad {
  readonly cores = cpus().length;
  readonly atStart: readonly number[] = loadavg();

  /** The 1-minute load average at the start was above the number of cores. */
  get overloaded(): boolean {
    return (this.atStart[0] ?? 0) > this.cores;
  }

  startLine(): string {
    const note = this.overloaded ? ` — above the ${this.cores} cores: no target will be reported MET in this run` : '';
    return `load average at start ${formatLoad(this.atStart)} (1, 5, 15 min; ${this.cores} cores)${note}`;
  }

  endLine(): string {
    return `load average at end ${formatLoad(loadavg())} (1, 5, 15 min; at start ${formatLoad(this.atStart)})`;
  }

  /** "MET" / "NOT MET"; a met target on an overloaded machine is reported as not judged, with the reason. */
  verdict(met: boolean): string {
    if (!met) return 'NOT MET';
    if (!this.overloaded) return 'MET';
    return `not reported as MET: the 1-minute load average at the start (${(this.atStart[0] ?? 0).toFixed(2)}) was above the ${this.cores} cores; re-run on an idle machine`;
  }
}

/** One line describing the machine, with the load average at the start. */
export function machineLine(load: BenchLoad): string {
  const memGiB = (totalmem() / 2 ** 30).toFixed(1);
  return `nproc ${cpus().length} × ${cpus()[0]?.model ?? 'unknown CPU'}, ${memGiB} GiB RAM, kernel ${release()}, Docker ${dockerServerVersion()}, node ${process.version}; ${load.startLine()}`;
}
