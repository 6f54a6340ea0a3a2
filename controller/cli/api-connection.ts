// The options every API subcommand shares (--url, --token, --token-file, --actor, --json), and how the
// CLI turns them into a client. Tokens on the command line show up in `ps`; the environment
// (GUARDRAIL_TOKEN) or a --token-file is the better place for them.
import { readFile } from 'node:fs/promises';
import { userInfo } from 'node:os';
import type { Command } from 'commander';
import { DEFAULT_API_URL, createApiClient, type ApiClient } from '../cli-client/api-client.js';
import { CliUsageError } from './cli-run.js';

export interface ConnectionFlags {
  readonly url?: string;
  readonly token?: string;
  readonly tokenFile?: string;
  readonly actor?: string;
  readonly json?: boolean;
}

export function withConnectionOptions(command: Command): Command {
  return command
    .option('--url <url>', `controller API base URL (env GUARDRAIL_URL, default ${DEFAULT_API_URL})`)
    .option('--token <token>', 'API token (env GUARDRAIL_TOKEN; prefer the env or --token-file: argv is visible in ps)')
    .option('--token-file <path>', 'read the API token from this file (env GUARDRAIL_TOKEN_FILE)')
    .option('--actor <name>', 'who you are, recorded with manual operations (env GUARDRAIL_ACTOR, default your login)')
    .option('--json', 'print the server response as JSON (for scripts)');
}

/** --token, --token-file, then GUARDRAIL_TOKEN, then GUARDRAIL_TOKEN_FILE (the same variables the daemon reads). */
export async function connect(flags: ConnectionFlags, env: NodeJS.ProcessEnv = process.env): Promise<ApiClient> {
  const url = flags.url ?? env['GUARDRAIL_URL'] ?? DEFAULT_API_URL;
  if (!/^https?:\/\/[^\s/]+/.test(url)) throw new CliUsageError(`--url ${JSON.stringify(url)} is not an http(s) URL`);
  const token = await resolveToken(flags, env);
  const actor = flags.actor ?? env['GUARDRAIL_ACTOR'] ?? loginName();
  return createApiClient({ url, ...(token === undefined ? {} : { token }), ...(actor === undefined ? {} : { actor }) });
}

async function resolveToken(flags: ConnectionFlags, env: NodeJS.ProcessEnv): Promise<string | undefined> {
  if (flags.token !== undefined && flags.tokenFile !== undefined) throw new CliUsageError('give --token or --token-file, not both');
  if (flags.token !== undefined) return nonEmpty(flags.token, '--token');
  if (flags.tokenFile !== undefined) return readTokenFile(flags.tokenFile, '--token-file');
  const fromEnv = env['GUARDRAIL_TOKEN'];
  if (fromEnv !== undefined && fromEnv !== '') return fromEnv;
  const fileFromEnv = env['GUARDRAIL_TOKEN_FILE'];
  return fileFromEnv === undefined || fileFromEnv === '' ? undefined : readTokenFile(fileFromEnv, 'GUARDRAIL_TOKEN_FILE');
}

async function readTokenFile(path: string, where: string): Promise<string> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (err) {
    throw new CliUsageError(`cannot read ${where} ${path}: ${err instanceof Error ? err.message : String(err)}`);
  }
  return nonEmpty(text.trim(), `${where} ${path}`);
}

function nonEmpty(token: string, where: string): string {
  if (token === '') throw new CliUsageError(`${where} is empty`);
  return token;
}

function loginName(): string | undefined {
  try {
    return userInfo().username;
  } catch {
    return undefined;
  }
}
