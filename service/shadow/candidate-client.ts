// One mirrored HTTP exchange with the shadow candidate, classified into the outcomes of
// `shadow_requests_total` (SHADOW_OUTCOMES in contract.ts). Node's own http(s) client over one keep-alive
// Agent: no dependency, pooled connections (a new TCP connection per mirror would cost the serving process
// more than the mirror itself), at most `maxSockets` of them. Every exchange ends in exactly one callback,
// whatever the candidate does (hangs, resets, answers garbage or an endless body), and never throws.
import { Agent as HttpAgent, request as httpRequest, type ClientRequest, type IncomingMessage, type RequestOptions } from 'node:http';
import { Agent as HttpsAgent, request as httpsRequest } from 'node:https';

/**
 * Marks every mirrored request. A service never mirrors a request that carries it, so a SHADOW_URL that
 * points back at the service itself (or at another mirroring service) cannot start a loop.
 */
export const SHADOW_HEADER = 'x-guardrail-shadow';

/** A /predict/batch answer of 1000 instances is ~70 KB; anything far larger is not a prediction answer. */
export const MAX_ANSWER_BYTES = 4 * 1024 * 1024;

export type Exchange =
  /** 200 with a JSON body (its shape is judged by the caller). */
  | { readonly outcome: 'ok'; readonly seconds: number; readonly body: unknown }
  /** An answer, but not a usable one. */
  | { readonly outcome: 'error'; readonly seconds: number; readonly detail: string }
  | { readonly outcome: 'timeout'; readonly detail: string }
  | { readonly outcome: 'unreachable'; readonly detail: string };

export interface CandidateClient {
  /** POSTs `body` (JSON text) to base URL + `path`; `done` is called exactly once. */
  post(path: string, body: string, done: (exchange: Exchange) => void): void;
  /** Destroys the pooled connections (and with them any exchange still in flight). */
  close(): void;
}

export interface CandidateClientOptions {
  readonly baseUrl: string;
  readonly timeoutMs: number;
  readonly maxSockets: number;
}

function errorCode(err: unknown): string {
  const code = (err as { code?: unknown }).code;
  return typeof code === 'string' ? code : '';
}

function describeError(err: unknown): string {
  const message = err instanceof Error ? err.message : String(err);
  const code = errorCode(err);
  return code === '' || message.includes(code) ? message : `${code}: ${message}`;
}

/** Reads a 200 answer's body (bounded) and parses it; any other status is an error once drained. */
function readAnswer(req: ClientRequest, res: IncomingMessage, seconds: () => number, finish: (e: Exchange) => void): void {
  const fail = (detail: string): void => finish({ outcome: 'error', seconds: seconds(), detail });
  res.on('error', (err) => fail(`answer cut off: ${describeError(err)}`));
  res.on('close', () => {
    if (!res.complete) fail('answer cut off');
  });
  if (res.statusCode !== 200) {
    res.on('end', () => fail(`HTTP ${res.statusCode ?? '?'}`));
    res.resume(); // drained so the connection is reused
    return;
  }
  const chunks: Buffer[] = [];
  let size = 0;
  res.on('data', (chunk: Buffer) => {
    size += chunk.length;
    if (size > MAX_ANSWER_BYTES) {
      fail(`answer larger than ${MAX_ANSWER_BYTES} bytes`);
      req.destroy();
      return;
    }
    chunks.push(chunk);
  });
  res.on('end', () => {
    let body: unknown;
    try {
      body = JSON.parse(Buffer.concat(chunks).toString('utf8'));
    } catch {
      fail('answer is not JSON');
      return;
    }
    finish({ outcome: 'ok', seconds: seconds(), body });
  });
}

/** Where and how every mirror goes: request options without the path, and the base URL's path prefix. */
interface Target {
  readonly options: RequestOptions;
  readonly send: (options: RequestOptions) => ClientRequest;
  readonly prefix: string;
  readonly timeoutMs: number;
}

function postOnce(target: Target, path: string, body: string, done: (exchange: Exchange) => void): void {
  const started = process.hrtime.bigint();
  const seconds = (): number => Number(process.hrtime.bigint() - started) / 1e9;
  let settled = false;
  let answered = false;
  let req: ClientRequest | undefined;
  const timer = setTimeout(() => {
    finish({ outcome: 'timeout', detail: `no answer within ${target.timeoutMs} ms` });
    req?.destroy();
  }, target.timeoutMs);
  timer.unref();
  function finish(exchange: Exchange): void {
    if (settled) return;
    settled = true;
    clearTimeout(timer);
    done(exchange);
  }
  try {
    const headers = { 'content-type': 'application/json', 'content-length': Buffer.byteLength(body), [SHADOW_HEADER]: '1' };
    req = target.send({ ...target.options, path: `${target.prefix}${path}`, headers });
  } catch (err) {
    finish({ outcome: 'unreachable', detail: describeError(err) });
    return;
  }
  const sent = req;
  sent.on('error', (err) => {
    // Bytes that are not HTTP are an answer (garbage); anything else before an answer is "unreachable".
    const garbage = answered || errorCode(err).startsWith('HPE_');
    finish(garbage ? { outcome: 'error', seconds: seconds(), detail: describeError(err) } : { outcome: 'unreachable', detail: describeError(err) });
  });
  sent.on('response', (res) => {
    answered = true;
    readAnswer(sent, res, seconds, finish);
  });
  sent.end(body);
}

export function candidateClient(options: CandidateClientOptions): CandidateClient {
  const url = new URL(options.baseUrl);
  const secure = url.protocol === 'https:';
  const agentOptions = { keepAlive: true, maxSockets: options.maxSockets, maxFreeSockets: Math.min(options.maxSockets, 256) };
  const agent = secure ? new HttpsAgent(agentOptions) : new HttpAgent(agentOptions);
  const target: Target = {
    options: {
      protocol: url.protocol,
      // URL keeps IPv6 literals in brackets; the http client wants them bare.
      hostname: url.hostname.replace(/^\[(.*)\]$/, '$1'),
      port: url.port === '' ? (secure ? 443 : 80) : Number(url.port),
      method: 'POST',
      agent,
    },
    send: secure ? httpsRequest : httpRequest,
    prefix: url.pathname.replace(/\/+$/, ''),
    timeoutMs: options.timeoutMs,
  };
  return {
    post: (path, body, done) => postOnce(target, path, body, done),
    close: () => agent.destroy(),
  };
}
