import { isAxiosError, type AxiosInstance } from 'axios';
import { AlertDeliveryError } from '../../ports/alert-sink.js';

// One JSON POST for an alert sink, with every failure turned into an AlertDeliveryError whose message
// says who, where and why, so the runtime's log line is enough to act on.

export interface PostJsonRequest {
  readonly http: AxiosInstance;
  readonly sink: string;
  /** Human name of the receiver for messages, e.g. "Alertmanager at http://am:9093". */
  readonly receiver: string;
  readonly url: string;
  readonly body: unknown;
  readonly timeoutMs: number;
  readonly headers: Readonly<Record<string, string>>;
  readonly dedupKeys: readonly string[];
}

const MAX_BODY_IN_MESSAGE = 300;

export async function postJson(req: PostJsonRequest): Promise<void> {
  const what = req.dedupKeys.length === 1 ? `alert ${req.dedupKeys[0] ?? ''}` : `${req.dedupKeys.length} alerts (${req.dedupKeys.join(', ')})`;
  let status: number;
  let responseText: string;
  try {
    const response = await req.http.post<unknown>(req.url, req.body, {
      timeout: req.timeoutMs,
      signal: AbortSignal.timeout(req.timeoutMs),
      headers: { 'Content-Type': 'application/json', ...req.headers },
      validateStatus: () => true,
      responseType: 'text',
      transformResponse: [(data: unknown) => data],
    });
    status = response.status;
    responseText = typeof response.data === 'string' ? response.data : '';
  } catch (err) {
    const code = isAxiosError(err) ? (err.code ?? 'no code') : 'no code';
    const message = err instanceof Error ? err.message : String(err);
    const timedOut = code === 'ECONNABORTED' || code === 'ETIMEDOUT' || code === 'ERR_CANCELED';
    throw new AlertDeliveryError(
      timedOut
        ? `${req.sink}: ${req.receiver} did not answer within ${req.timeoutMs} ms while sending ${what}`
        : `${req.sink}: could not reach ${req.receiver} to send ${what} (${code}: ${message})`,
      { sink: req.sink, dedupKeys: req.dedupKeys, retryable: true, cause: err },
    );
  }
  if (status >= 200 && status < 300) return;
  const excerpt = responseText.replace(/\s+/g, ' ').trim().slice(0, MAX_BODY_IN_MESSAGE);
  throw new AlertDeliveryError(`${req.sink}: ${req.receiver} answered HTTP ${status} to ${what}${excerpt === '' ? '' : `: ${excerpt}`}`, {
    sink: req.sink,
    dedupKeys: req.dedupKeys,
    // 408/429/5xx may pass later; any other 4xx means the request itself is wrong.
    retryable: status === 408 || status === 429 || status >= 500,
  });
}
