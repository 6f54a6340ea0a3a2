// The CLI's client for the controller API (fetch, no extra dependency). It turns every failure into one
// of two errors the CLI prints plainly: the server refused (with its catalogue code), or it could not be
// reached at all.
import type { CandidateView, HistoryEntryView, OperationView, TargetStatusView } from '../ports/controller.js';

export const DEFAULT_API_URL = 'http://127.0.0.1:8090';
export const DEFAULT_TIMEOUT_MS = 10_000;

export interface ApiClientOptions {
  readonly url: string;
  readonly token?: string;
  /** Sent as X-Guardrail-Actor (e.g. the operator's login); the server sanitises it. */
  readonly actor?: string;
  readonly timeoutMs?: number;
}

/**
 * The server answered 4xx/5xx. When the body is the API's RFC 9457 problem, `code` is its GR_ERR_* code
 * and the message its `detail`.
 */
export class ApiRequestError extends Error {
  override readonly name = 'ApiRequestError';
  readonly status: number;
  readonly code: string;
  readonly details: unknown;

  constructor(status: number, code: string, message: string, details?: unknown) {
    super(message);
    this.status = status;
    this.code = code;
    this.details = details;
  }
}

/** No HTTP answer: connection refused, DNS, timeout, reset. */
export class ApiUnreachableError extends Error {
  override readonly name = 'ApiUnreachableError';
  readonly url: string;
  readonly reason: string;

  constructor(url: string, reason: string) {
    super(`cannot reach the Guardrail API at ${url} (${reason})`);
    this.url = url;
    this.reason = reason;
  }
}

export interface HistoryParams {
  readonly target?: string;
  readonly since?: string;
  readonly limit?: number;
  readonly offset?: number;
}

export interface HistoryPage {
  readonly entries: readonly HistoryEntryView[];
  readonly total: number;
  readonly limit: number;
  readonly offset: number;
}

export type OverrideAction = 'rollback' | 'rollforward' | 'pause' | 'resume';

export interface OverrideBody {
  readonly reason?: string;
  readonly duration?: string;
  readonly until?: string;
  /** rollforward only: even while the shadow candidate breaches the gate. */
  readonly force?: boolean;
  /** rollforward only: set the shadow's candidate instead of rolling forward; null clears it. */
  readonly candidate?: { readonly image?: string; readonly env?: Readonly<Record<string, string>> } | null;
}

export interface ApiClient {
  status(): Promise<{ readonly targets: readonly TargetStatusView[]; readonly ready?: boolean; readonly detail?: string }>;
  history(params: HistoryParams): Promise<HistoryPage>;
  historyMarkdown(params: HistoryParams): Promise<string>;
  /** `warning`: accepted, but worth knowing (a roll-forward on UNKNOWN shadow evidence, or forced). */
  override(target: string, action: OverrideAction, body: OverrideBody): Promise<{ readonly operation: OperationView; readonly warning?: string; readonly candidate?: CandidateView }>;
  /** GET /api/v1/operations/:id: an operation's current status (404 GR_ERR_NOT_FOUND once forgotten). */
  operation(id: string): Promise<{ readonly operation: OperationView }>;
}

export function createApiClient(options: ApiClientOptions): ApiClient {
  const base = options.url.replace(/\/+$/, '');
  const timeoutMs = options.timeoutMs ?? DEFAULT_TIMEOUT_MS;

  async function request(method: 'GET' | 'POST', path: string, body?: unknown): Promise<Response> {
    const headers: Record<string, string> = { accept: 'application/json, text/markdown' };
    if (options.token !== undefined) headers['authorization'] = `Bearer ${options.token}`;
    if (options.actor !== undefined) headers['x-guardrail-actor'] = options.actor;
    if (body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await fetch(`${base}${path}`, {
        method,
        headers,
        ...(body === undefined ? {} : { body: JSON.stringify(body) }),
        signal: AbortSignal.timeout(timeoutMs),
      });
    } catch (err) {
      throw new ApiUnreachableError(base, describeFetchFailure(err, timeoutMs));
    }
    if (!res.ok) throw await toRequestError(res);
    return res;
  }

  const json = async <T>(res: Response): Promise<T> => (await res.json()) as T;
  const historyQuery = (params: HistoryParams, format?: 'markdown') => {
    const q = new URLSearchParams();
    if (params.target !== undefined) q.set('target', params.target);
    if (params.since !== undefined) q.set('since', params.since);
    if (params.limit !== undefined) q.set('limit', String(params.limit));
    if (params.offset !== undefined) q.set('offset', String(params.offset));
    if (format !== undefined) q.set('format', format);
    const text = q.toString();
    return text === '' ? '/api/v1/history' : `/api/v1/history?${text}`;
  };

  return {
    status: async () => json(await request('GET', '/api/v1/status')),
    history: async (params) => json(await request('GET', historyQuery(params))),
    historyMarkdown: async (params) => (await request('GET', historyQuery(params, 'markdown'))).text(),
    override: async (target, action, body) => json(await request('POST', `/api/v1/targets/${encodeURIComponent(target)}/${action}`, body)),
    operation: async (id) => json(await request('GET', `/api/v1/operations/${encodeURIComponent(id)}`)),
  };
}

async function toRequestError(res: Response): Promise<ApiRequestError> {
  const text = await res.text().catch(() => '');
  try {
    const body = JSON.parse(text) as { code?: unknown; detail?: unknown; title?: unknown; details?: unknown };
    if (typeof body.code === 'string' && (typeof body.detail === 'string' || typeof body.title === 'string')) {
      return new ApiRequestError(res.status, body.code, typeof body.detail === 'string' ? body.detail : String(body.title), body.details);
    }
  } catch {
    // not our JSON: something else answered on that port (a proxy, another service)
  }
  const snippet = text.slice(0, 200).replace(/\s+/g, ' ').trim();
  return new ApiRequestError(res.status, `HTTP_${res.status}`, snippet === '' ? res.statusText : snippet);
}

function describeFetchFailure(err: unknown, timeoutMs: number): string {
  if (err instanceof Error && (err.name === 'TimeoutError' || err.name === 'AbortError')) return `no answer within ${timeoutMs} ms`;
  const cause = err instanceof Error ? (err.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  if (typeof cause?.code === 'string') return cause.code;
  if (typeof cause?.message === 'string') return cause.message;
  return err instanceof Error ? err.message : String(err);
}
