// The dashboard page: polls GET /api/v1/dashboard every POLL_MS and redraws the targets and the history
// in place (no reload); sends the actions with the typed token and follows their operation to its end.
import {
  ApiProblem,
  act,
  loadDashboard,
  operation,
  token,
  type ActionKind,
  type DashboardData,
} from './api.js';
import { byId, el } from './dom.js';
import { clock } from './format.js';
import { historyTable } from './history.js';
import { targetCard } from './targets.js';

const POLL_MS = 2_000;
const FOLLOW_MS = 1_000;
const FOLLOW_LIMIT_MS = 120_000;

function say(id: string, text: string, state: string): void {
  const node = byId(id);
  node.textContent = text;
  node.dataset['state'] = state;
}

function render(data: DashboardData): void {
  const nowMs = Date.parse(data.now);
  const timelines = new Map(data.timelines.map((t) => [t.target, t]));
  const cards = data.targets.map((t) => targetCard(t, timelines.get(t.target), nowMs));
  byId('targets').replaceChildren(
    ...(cards.length > 0 ? cards : [el('p', { class: 'muted' }, `No targets: ${data.detail}`)]),
  );
  byId('history').replaceChildren(historyTable(data.history.entries, data.history.total));
  syncTargetChoices(data.targets.map((t) => t.target));
  say(
    'connection',
    `live · updated ${clock(data.now)} · ${data.ready ? 'ready' : 'not ready'}: ${data.detail}`,
    data.ready ? 'ok' : 'warn',
  );
}

function syncTargetChoices(names: readonly string[]): void {
  const select = byId<HTMLSelectElement>('action-target');
  const current = [...select.options].map((o) => o.value);
  if (current.join('\n') === names.join('\n')) return;
  const chosen = select.value;
  select.replaceChildren(...names.map((n) => el('option', { value: n }, n)));
  if (names.includes(chosen)) select.value = chosen;
}

function clearData(): void {
  byId('targets').replaceChildren();
  byId('history').replaceChildren();
}

async function refresh(): Promise<void> {
  try {
    render(await loadDashboard());
  } catch (error) {
    if (error instanceof ApiProblem && (error.status === 401 || error.status === 403)) {
      // Nothing stays on screen that this token may not read.
      clearData();
      say(
        'connection',
        token.get() === '' ? 'Enter the API token to see the targets.' : `Token refused: ${error.message}`,
        'auth',
      );
    } else {
      say(
        'connection',
        `Controller unreachable: ${error instanceof Error ? error.message : String(error)} (retrying; the data below may be stale)`,
        'error',
      );
    }
  }
}

function poll(): void {
  setTimeout(() => {
    void refresh().finally(poll);
  }, POLL_MS);
}

async function follow(id: string, label: string): Promise<void> {
  const deadline = Date.now() + FOLLOW_LIMIT_MS;
  while (Date.now() < deadline) {
    await new Promise((r) => setTimeout(r, FOLLOW_MS));
    const op = await operation(id);
    if (op.status !== 'queued' && op.status !== 'running') {
      say(
        'action-result',
        `${label}: ${op.status}${op.message === null ? '' : ` — ${op.message}`}`,
        op.status,
      );
      void refresh();
      return;
    }
    say('action-result', `${label}: ${op.status}…`, 'accepted');
  }
}

async function runAction(action: ActionKind): Promise<void> {
  const target = byId<HTMLSelectElement>('action-target').value;
  const reason = byId<HTMLInputElement>('action-reason').value.trim();
  if (target === '' || reason === '') {
    say('action-result', 'Choose a target and give a reason first.', 'invalid');
    return;
  }
  say('action-result', `Sending ${action} for ${target}…`, 'sending');
  try {
    const op = await act(target, action, reason, byId<HTMLInputElement>('action-duration').value.trim());
    const label = `${action} ${target} (operation ${op.id})`;
    say('action-result', `${label}: accepted, ${op.status}`, 'accepted');
    void refresh();
    await follow(op.id, label);
  } catch (error) {
    const detail =
      error instanceof ApiProblem
        ? `refused (${error.status} ${error.code}): ${error.message}`
        : `failed: ${String(error)}`;
    say('action-result', `${action} ${target} ${detail}`, 'refused');
  }
}

function wire(): void {
  byId<HTMLFormElement>('token-form').addEventListener('submit', (event) => {
    event.preventDefault();
    const input = byId<HTMLInputElement>('token');
    token.set(input.value.trim());
    input.value = '';
    void refresh();
  });
  byId('token-forget').addEventListener('click', () => {
    token.forget();
    void refresh();
  });
  byId<HTMLFormElement>('action-form').addEventListener('submit', (event) => event.preventDefault());
  for (const button of document.querySelectorAll<HTMLButtonElement>('#action-form button[data-action]')) {
    button.addEventListener('click', () => void runAction(button.dataset['action'] as ActionKind));
  }
}

wire();
void refresh().finally(poll);
