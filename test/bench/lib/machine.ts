import { execFileSync } from 'node:child_process';
import { cpus, loadavg, release, totalmem } from 'node:os';

// One line describing the machine a benchmark ran on, printed with every result.

export function dockerServerVersion(): string {
  try {
    return execFileSync('docker', ['version', '--format', '{{.Server.Version}}'], { encoding: 'utf8' }).trim();
  } catch {
    return 'unavailable';
  }
}

export function machineLine(): string {
  const memGiB = (totalmem() / 2 ** 30).toFixed(1);
  const load = loadavg().map((l) => l.toFixed(2)).join(' ');
  return `nproc ${cpus().length}, ${memGiB} GiB RAM, kernel ${release()}, Docker ${dockerServerVersion()}, node ${process.version}, load average ${load}`;
}
