// Collects the located errors of one policy's semantic checks (normalize.ts, target.ts).
import { parseDuration } from '../../core/duration.js';
import type { Locator } from './locator.js';
import type { YamlPath } from './positions.js';
import { promqlProblems } from './promql.js';

export interface LocatedError {
  readonly line: number;
  readonly col: number;
  readonly message: string;
}

export class Checker {
  readonly errors: LocatedError[] = [];
  readonly locate: Locator;
  constructor(locate: Locator) {
    this.locate = locate;
  }
  fail(path: YamlPath, message: string, where: 'key' | 'value' = 'value'): void {
    this.errors.push({ ...this.locate.at(path, where), message });
  }
  failInString(path: YamlPath, offset: number, message: string): void {
    this.errors.push({ ...this.locate.inString(path, offset), message });
  }
  duration(path: YamlPath, text: string | undefined, fallbackMs: number): number {
    if (text === undefined) return fallbackMs;
    const ms = parseDuration(text);
    if (ms === undefined) {
      this.fail(path, `bad duration ${JSON.stringify(text)} (write e.g. 30s, 5m, 1h, 1h30m)`);
      return fallbackMs;
    }
    return ms;
  }
  promql(path: YamlPath, query: string): void {
    for (const problem of promqlProblems(query)) this.failInString(path, problem.offset, problem.message);
  }
}
