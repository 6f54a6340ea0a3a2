// The page's calls: GET /api/v1/dashboard and the override routes, with the token the user typed as a
// bearer header. The token lives in sessionStorage (this tab only, gone when it closes), never a cookie.
import type {
  HistoryEntryView,
  OperationView,
  TargetStatusView,
  TimelineView,
} from '../../controller/ports/controller.js';

const TOKEN_KEY = 'guardrail.token';

export interface DashboardData {
  readonly now: string;
  readonly ready: boolean;
  readonly detail: string;
  readonly targets: readonly TargetStatusView[];
  readonly timelines: readonly TimelineView[];
  readonly history: { readonly entries: readonly HistoryEntryView[]; readonly total: number };
}

/** An RFC 9457 problem from the API, or our own words when the answer was not one. */
export class ApiProblem extends Error {
  readonly status: number;
  readonly code: string;

  constructor(status: number, code: string, detail: string) {
    super(detail);
    this.status = status;
    this.code = code;
  }
}

export const token = {
  get: (): string => sessionStorage.getItem(TOKEN_KEY) ?? '',
  set: (value: string): void => sessionStorage.setItem(TOKEN_KEY, value),
  forget: (): void => sessionStorage.removeItem(TOKEN_KEY),
};

async function call<T>(path: string, init: RequestInit = {}): Promise<T> {
  const headers = new Headers(init.headers);
  const bearer = token.get();
  if (bearer !== '') headers.set('authorization', `Bearer ${bearer}`);
  // credentials 'omit': no cookie ever goes with a request, so nothing but the typed token can authorise it.
  const res = await fetch(path, {
    ...init,
    headers,
    credentials: 'omit',
    cache: 'no-store',
    signal: AbortSignal.timeout(10_000),
  });
  const body: unknown = await res.json().catch(() => null);
  if (!res.ok) {
    const problem = (body ?? {}) as { code?: string; detail?: string };
    throw new ApiProblem(res.status, problem.code ?? `HTTP_${res.status}`, problem.detail ?? res.statusText);
  }
  return body as T;
}

export function loadDashboard(): Promise<DashboardData> {
  return call<DashboardData>('/api/v1/dashboard');
}

export type ActionKind = 'rollback' | 'rollforward' | 'pause' | 'resume';

export async function act(
  target: string,
  action: ActionKind,
  reason: string,
  pauseFor: string,
): Promise<OperationView> {
  const body = action === 'pause' ? { reason, duration: pauseFor } : { reason };
  const answer = await call<{ operation: OperationView }>(
    `/api/v1/targets/${encodeURIComponent(target)}/${action}`,
    {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'x-guardrail-actor': 'dashboard' },
      body: JSON.stringify(body),
    },
  );
  return answer.operation;
}

export async function operation(id: string): Promise<OperationView> {
  return (await call<{ operation: OperationView }>(`/api/v1/operations/${encodeURIComponent(id)}`)).operation;
}
