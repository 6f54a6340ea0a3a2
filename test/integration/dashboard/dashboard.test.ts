// The dashboard in a real browser (Debian's chromium driven by playwright-core) against the real loop: the
// compiled service failing half of its ML predictions, a real Prometheus, the demo policy, the process
// actuator, and the controller's HTTP API on a free port. The page must load, show the target, show the
// breach and then the rollback live (same document, no reload), refuse an action with a wrong token
// (and nothing happens), and act with the right one.
import { mkdtemp, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pino from 'pino';
import { chromium, type Browser, type Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildApi } from '../../../controller/http/build-api.js';
import { buildDashboard } from '../../../scripts/build-dashboard.js';
import { startTraffic, type Traffic } from '../../../scripts/demo-traffic.js';
import { serviceVariant, startRealStack, waitUntil, type RealStack } from '../runtime/real-stack.js';

const TOKEN = 'dashboard-test-token-0123456789';
const CHROMIUM = process.env['GUARDRAIL_CHROMIUM'] ?? '/usr/bin/chromium';

let stack: RealStack;
let api: ReturnType<typeof buildApi>;
let browser: Browser;
let page: Page;
let url: string;
let dir: string;
let traffic: Traffic | undefined;
const cspViolations: string[] = [];
let navigations = 0;

beforeAll(async () => {
  dir = await mkdtemp(join(tmpdir(), 'guardrail-dashboard-it-'));
  const [started, dashboardDir] = await Promise.all([
    startRealStack({ FAULT_ML_ERROR_RATE: '0.5' }),
    buildDashboard(join(dir, 'page')),
  ]);
  stack = started;
  api = buildApi({
    controller: stack.runtime,
    registry: stack.runtime.metrics.registry,
    logger: pino({ level: 'silent' }),
    auth: { token: TOKEN, protectReads: false },
    dashboardDir,
  });
  await api.listen({ host: '127.0.0.1', port: 0 });
  const address = api.server.address();
  url = `http://127.0.0.1:${typeof address === 'object' && address !== null ? address.port : 0}/`;
  browser = await chromium.launch({
    executablePath: CHROMIUM,
    headless: true,
    args: ['--no-sandbox', '--disable-gpu', '--disable-dev-shm-usage'],
  });
  page = await browser.newPage({ viewport: { width: 1280, height: 900 } });
  page.on('console', (message) => {
    if (/Content.Security.Policy/i.test(message.text())) cspViolations.push(message.text());
  });
  // GUARDRAIL_DASHBOARD_TRACE=1 prints every request the page makes, with times (to see a stalled poll).
  if (process.env['GUARDRAIL_DASHBOARD_TRACE'] !== undefined) {
    const t = (): string => new Date().toISOString().slice(11, 23);
    page.on('request', (r) => process.stderr.write(`${t()} > ${r.method()} ${r.url()}\n`));
    page.on('requestfinished', (r) => process.stderr.write(`${t()} < ${r.url()}\n`));
    page.on('requestfailed', (r) => process.stderr.write(`${t()} ! ${r.url()} ${r.failure()?.errorText}\n`));
  }
  page.on('framenavigated', (frame) => {
    if (frame === page.mainFrame()) navigations += 1;
  });
}, 90_000);

afterAll(async () => {
  traffic?.stop();
  await browser?.close();
  await api?.close();
  await stack?.stop();
  if (dir !== undefined) await rm(dir, { recursive: true, force: true });
});

const phaseBadge = '[data-target="demo"] [data-phase]';
const errorRateRow = '[data-target="demo"] tr[data-condition="reasons.high-error-rate"]';

/** Waits for the page to show the phase; on timeout says what the page and the runtime showed. */
async function pagePhase(phase: string, timeoutMs: number): Promise<void> {
  try {
    await page.waitForSelector(`${phaseBadge}[data-phase="${phase}"]`, { timeout: timeoutMs });
  } catch (error) {
    const shown = await page.evaluate(
      '[document.getElementById("connection")?.textContent, document.querySelector("[data-phase]")?.textContent, document.getElementById("action-result")?.textContent]',
    );
    throw new Error(
      `page did not show ${phase}: page ${JSON.stringify(shown)}, runtime ${JSON.stringify(stack.runtime.status()[0])}`,
      { cause: error },
    );
  }
}

async function useToken(token: string): Promise<void> {
  await page.fill('#token', token);
  await page.click('#token-form button[type="submit"]');
}

async function act(action: string, reason: string): Promise<void> {
  await page.fill('#action-reason', reason);
  await page.click(`#action-form button[data-action="${action}"]`);
}

async function actionOutcome(states: readonly string[], timeoutMs: number): Promise<string> {
  // Polled from here: the page's CSP forbids the eval that a string waitForFunction would need.
  return waitUntil(
    `#action-result in ${states.join('|')}`,
    timeoutMs,
    async () => {
      const state = (await page.getAttribute('#action-result', 'data-state')) ?? '';
      return states.includes(state) ? `${state}: ${await page.textContent('#action-result')}` : undefined;
    },
    200,
  );
}

describe('the dashboard page in chromium', () => {
  it('loads without a token, shows no data and asks for one; with the token it shows the target', async () => {
    await page.goto(url);
    await page.waitForSelector('#connection[data-state="auth"]', { timeout: 10_000 });
    expect(await page.textContent('#connection')).toContain('Enter the API token');
    expect(await page.$$('[data-target]')).toHaveLength(0);

    await useToken(TOKEN);
    await pagePhase('watching', 20_000);
    expect(await page.textContent('[data-target="demo"] .variant')).toContain('serving');
    expect(await page.evaluate("sessionStorage.getItem('guardrail.token')")).toBe(TOKEN);
    expect(await page.evaluate('document.cookie')).toBe('');
  }, 30_000);

  it('a rollback with a wrong token is refused (401) and nothing happens', async () => {
    await useToken('wrong-token-0123456789abcdef');
    await page.waitForSelector('#connection[data-state="auth"]', { timeout: 10_000 });
    await act('rollback', 'dashboard test: wrong token');
    const outcome = await actionOutcome(['refused'], 10_000);
    expect(outcome).toContain('401');
    expect(outcome).toContain('GR_ERR_UNAUTHORIZED');
    const [status] = stack.runtime.status();
    expect(status).toMatchObject({ phase: 'watching', inFlight: null, rollback: null });
    expect((await stack.runtime.history({ limit: 10, offset: 0 })).total).toBe(0);
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^ml /);
    await useToken(TOKEN);
    await pagePhase('watching', 20_000);
  }, 30_000);

  it('after the incident it shows the breach, then the rollback, live without a reload', async () => {
    await page.evaluate("window.marker = 'same document'");
    const before = navigations;
    traffic = startTraffic(`${stack.serviceUrl}/predict`, 10);
    await page.waitForSelector(`${errorRateRow}.verdict-breach`, { timeout: 30_000 });
    expect(await page.textContent(`${errorRateRow} .verdict`)).toBe('BREACH');
    await pagePhase('rolled_back', 40_000);
    traffic.stop();
    expect(await page.textContent('[data-target="demo"] .notice.rollback')).toMatch(
      /Rollback .*high-error-rate \(automatic\).*next "still rolled back" warning in/,
    );
    await page.waitForSelector('#history tr[data-history]', { timeout: 10_000 });
    expect(await page.textContent('#history tbody')).toContain('high-error-rate');
    expect(await page.$$(`${errorRateRow} svg.chart rect.v-breach`)).not.toHaveLength(0);
    expect(await page.evaluate('window.marker')).toBe('same document');
    expect(navigations).toBe(before);
  }, 90_000);

  it('with the right token, roll-forward and rollback from the page work and are recorded', async () => {
    // The ML still fails half its requests: roll forward only once the incident's requests have left the
    // error-rate window (no traffic: UNKNOWN low_traffic), or the ML rightly rolls back again at once.
    await page.waitForSelector(`${errorRateRow}.verdict-unknown`, { timeout: 60_000 });
    await act('rollforward', 'dashboard test: fixed');
    expect(await actionOutcome(['done', 'failed', 'refused'], 60_000)).toMatch(/^done/);
    await pagePhase('watching', 20_000);
    await act('rollback', 'dashboard test: by hand');
    expect(await actionOutcome(['done', 'failed', 'refused'], 60_000)).toMatch(/^done/);
    await pagePhase('rolled_back', 20_000);
    const { entries } = await stack.runtime.history({ limit: 10, offset: 0 });
    expect(entries[0]).toMatchObject({
      action: 'rollback',
      result: 'succeeded',
      trigger: { kind: 'manual', actor: 'api-token:dashboard', reason: 'dashboard test: by hand' },
    });
    expect(await serviceVariant(stack.serviceUrl)).toMatch(/^baseline /);
    await page.waitForSelector('#history tr[data-history] >> text=dashboard test: by hand', {
      timeout: 10_000,
    });
    expect(cspViolations).toEqual([]);

    const shot = process.env['GUARDRAIL_DASHBOARD_SCREENSHOT'] ?? join(dir, 'dashboard.png');
    await writeFile(shot, await page.screenshot({ fullPage: true }));
    expect((await stat(shot)).size).toBeGreaterThan(10_000);
  }, 150_000);
});
