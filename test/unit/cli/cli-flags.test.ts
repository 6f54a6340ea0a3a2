// Flag validation happens before any request: every bad flag exits 2 and the server sees nothing.
import { afterAll, describe, expect, it, vi } from 'vitest';
import { makeApi } from '../http/api-fixtures.js';
import { runCli } from './cli-harness.js';
import { listeningCli } from './listening-cli.js';

vi.setConfig({ testTimeout: 30_000 });

const { app, controller } = makeApi();
const cli = listeningCli(app);
afterAll(() => {
  // Nothing may have reached the port from any of the runs below.
  expect(controller.calls).toEqual([]);
});

describe('bad flags -> exit 2 before any request', () => {
  const BAD_FLAGS: readonly [string, readonly string[], RegExp][] = [
    ['rollback without --reason', ['rollback', 'prediction-service'], /--reason "<why>" is required/],
    ['rollback with a blank reason', ['rollback', 'prediction-service', '--reason', '  '], /--reason must not be empty/],
    ['rollback with a 501-char reason', ['rollback', 'prediction-service', '--reason', 'x'.repeat(501)], /longer than 500/],
    ['a target that is not a name', ['rollback', '../etc', '--reason', 'r'], /is not a policy target name/],
    ['pause without --for/--until', ['pause', 'prediction-service', '--reason', 'r'], /exactly one of --for/],
    ['pause with both', ['pause', 'prediction-service', '--for', '30m', '--until', '2030-01-01T00:00:00Z', '--reason', 'r'], /exactly one of --for/],
    ['pause with a bad duration', ['pause', 'prediction-service', '--for', '30 minutes', '--reason', 'r'], /--for "30 minutes" is not like 30m/],
    ['pause for too long', ['pause', 'prediction-service', '--for', '8d', '--reason', 'r'], /--for 8d is longer than 7 days/],
    ['pause until the past', ['pause', 'prediction-service', '--until', '2020-01-01T00:00:00Z', '--reason', 'r'], /--until 2020-01-01T00:00:00Z is not in the future/],
    ['pause without a reason', ['pause', 'prediction-service', '--for', '30m'], /--reason "<why>" is required/],
    ['history --limit 0', ['history', '--limit', '0'], /--limit "0" must be an integer from 1 to 500/],
    ['history --limit abc', ['history', '--limit', 'abc'], /--limit "abc"/],
    ['history --markdown --json', ['history', '--markdown', '--json'], /not both/],
    ['history --markdown --limit', ['history', '--markdown', '--limit', '5'], /--limit does not apply/],
    ['--token and --token-file', ['status', '--token', 'x', '--token-file', '/dev/null'], /not both/],
    ['an unreadable --token-file', ['status', '--token-file', '/nonexistent/token'], /cannot read --token-file/],
    ['a --url that is not http', ['status', '--url', 'ftp://x'], /is not an http\(s\) URL/],
    ['a bad --wait-timeout', ['rollback', 'prediction-service', '--reason', 'r', '--wait-timeout', 'soon'], /--wait-timeout "soon" is not a duration/],
    // Commander's own usage errors: exit 2 too, never 1 (1 is "the server refused").
    ['an unknown command', ['rollbak', 'prediction-service'], /unknown command 'rollbak'/],
    ['an unknown flag', ['status', '--verbose'], /unknown option '--verbose'/],
    ['an unknown flag of rollforward', ['rollforward', 'prediction-service', '--reasn', 'typo'], /unknown option '--reasn'/],
    ['a missing argument', ['rollback', '--reason', 'r'], /missing required argument 'target'/],
    ['a flag without its value', ['history', '--limit'], /option '--limit <n>' argument missing/],
    ['too many arguments', ['history', 'extra'], /too many arguments/],
    ['no command at all', [], /Usage: guardrail/],
  ];
  for (const [name, args, message] of BAD_FLAGS) {
    it.concurrent(`${name} -> exit 2, no request sent`, async ({ expect }) => {
      const res = await runCli(cli.bundle, args, cli.env);
      expect(res.code).toBe(2);
      expect(res.stderr).toMatch(message);
      expect(res.stdout).toBe('');
    });
  }
});
