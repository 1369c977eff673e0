import { existsSync, mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { startSimulator, type Simulator } from '@exai/provider-sim';
import { Client } from '@modelcontextprotocol/sdk/client/index.js';
import { InMemoryTransport } from '@modelcontextprotocol/sdk/inMemory.js';
import type { CallToolResult } from '@modelcontextprotocol/sdk/types.js';
import { chromium, type Browser, type Page } from 'playwright-core';
import { startTestDaemon, TEST_STATIC_TOKEN, type TestDaemon } from '../test-support/daemon-harness.js';
import type { DashboardState } from './dashboard-state.js';

const chromiumPath = process.env['CHROMIUM_PATH'] ?? '/usr/bin/chromium';
const screenshotPath = fileURLToPath(new URL('../../test-artifacts/dashboard.png', import.meta.url));
/** The daemon with neither tokens nor a JWT secret: anonymous callers allowed (loopback only). */
const anonymousEnv = { EXAI_ALLOW_ANONYMOUS: 'true', EXAI_WS_TOKEN: '', EXAI_JWT_SECRET: '' };

let sim: Simulator;
let browser: Browser;

beforeAll(async () => {
  sim = await startSimulator();
});
afterAll(async () => sim?.close());

/** Opens a page that records console errors and uncaught exceptions. */
async function openPage(url: string): Promise<{ page: Page; errors: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1400, height: 1000 } });
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  await page.goto(url);
  return { page, errors };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * A few tool calls through the daemon's own MCP server, so the dashboard has something to show,
 * spread over several chart intervals (`EXAI_DASHBOARD_SAMPLE_MS` is 200 ms here).
 */
async function makeCalls(test: TestDaemon): Promise<void> {
  const server = test.daemon.context.createMcpServer({ userId: '00000000-0000-4000-8000-000000000001', subject: 'anonymous', method: 'anonymous' }, { sessionId: 'dashboard-test', transport: 'http' });
  const [clientTransport, serverTransport] = InMemoryTransport.createLinkedPair();
  await server.connect(serverTransport);
  const client = new Client({ name: 'dashboard-test', version: '1.0.0' });
  await client.connect(clientTransport);
  try {
    const call = async (args: Record<string, unknown>) => (await client.callTool({ name: 'chat', arguments: args })) as CallToolResult;
    expect((await call({ prompt: 'hello from the dashboard test', model: 'glm-4.5' })).isError).toBeFalsy();
    await sleep(450);
    test.sim.setLatency(40);
    expect((await call({ prompt: 'and from Kimi', model: 'kimi-k2-turbo-preview' })).isError).toBeFalsy();
    await sleep(450);
    test.sim.setLatency(0);
    expect((await call({ prompt: 'GLM again', model: 'glm-4.6' })).isError).toBeFalsy();
    expect((await call({ prompt: 'this one fails', model: 'no-such-model' })).isError).toBe(true);
  } finally {
    await client.close();
  }
}

describe('dashboard (headless Chromium)', () => {
  beforeAll(async () => {
    // Never skipped: a machine without Chromium fails here, saying how to get it.
    if (!existsSync(chromiumPath)) {
      throw new Error(`Chromium not found at ${chromiumPath}: the dashboard test drives headless Chromium. Install Debian's package (apt-get install -y chromium) or set CHROMIUM_PATH.`);
    }
    browser = await chromium.launch({ executablePath: chromiumPath, args: ['--no-sandbox'] });
  }, 60_000);
  afterAll(async () => browser?.close());

  it('renders providers, breakers, load, charts and recent calls without console errors', async () => {
    const test = await startTestDaemon({ ...anonymousEnv, EXAI_DASHBOARD_SAMPLE_MS: '200' }, { sim });
    try {
      await makeCalls(test);
      const { page, errors } = await openPage(`${test.url}/`);
      await page.locator('#main').waitFor({ state: 'visible' });
      await page.locator('#recent-body tr').nth(3).waitFor();

      for (const provider of ['glm', 'kimi']) {
        const card = page.locator(`[data-provider="${provider}"]`);
        await expect(card.locator('h3').textContent()).resolves.toBe(provider);
        await expect(card.locator('.keys .chip').first().textContent()).resolves.toBe(`${provider}#1closed`);
        expect(await card.locator('.models .chip.st-closed').count()).toBeGreaterThan(1);
      }
      const rows = await page.locator('#recent-body tr').allInnerTexts();
      expect(rows).toHaveLength(4);
      // Newest first.
      expect(rows[0]).toMatch(/chat\s+error\s+unknown_model/);
      expect(rows[1]).toMatch(/chat\s+success\s+glm-4\.6\s+glm\s+\d+ ms\s+\$/);
      expect(rows[2]).toMatch(/chat\s+success\s+kimi-k2-turbo-preview\s+kimi\s+\d+ ms\s+\$/);
      expect(rows[3]).toMatch(/chat\s+success\s+glm-4\.5\s+glm\s+\d+ ms\s+\$/);
      await expect(page.locator('#tile-storage .value').innerText()).resolves.toMatch(/memory\s+up/);
      await expect(page.locator('#tile-storage .sub').textContent()).resolves.toBe('journal backlog 0');
      await expect(page.locator('#tile-inflight .value').textContent()).resolves.toBe('0');
      await expect(page.locator('#tile-cost .sub').textContent()).resolves.toBe('4 calls · 1 failed since start');
      await expect(page.locator('#status-pill').textContent()).resolves.toBe('ready');
      await expect(page.locator('#version').textContent()).resolves.toBe(`v${test.daemon.context.version}`);
      // The charts hold one point per interval: lines through the latency of the intervals with calls, a bar per costly interval.
      expect(await page.locator('#chart-latency path').count()).toBe(2);
      expect(await page.locator('#chart-latency circle').count()).toBeGreaterThanOrEqual(6);
      expect(await page.locator('#chart-cost rect').count()).toBeGreaterThanOrEqual(3);
      expect(await page.locator('#chart-load circle').count()).toBeGreaterThanOrEqual(9);
      expect(await page.locator('#login').isHidden()).toBe(true);

      mkdirSync(dirname(screenshotPath), { recursive: true });
      await page.screenshot({ path: screenshotPath, fullPage: true });
      expect(existsSync(screenshotPath)).toBe(true);
      expect(errors).toEqual([]);
      await page.close();
    } finally {
      await test.close();
    }
  }, 60_000);

  it('asks for a token when the API answers 401, keeps it in localStorage and sends it as Bearer', async () => {
    const test = await startTestDaemon({}, { sim });
    try {
      const { page } = await openPage(`${test.url}/dashboard`);
      await page.locator('#login').waitFor({ state: 'visible' });
      expect(await page.locator('#main').isHidden()).toBe(true);
      expect(await page.locator('#login-error').isHidden()).toBe(true);

      await page.locator('#token').fill('not-the-right-token-at-all');
      await page.locator('#login-form button[type=submit]').click();
      await page.locator('#login-error').waitFor({ state: 'visible' });
      expect(await page.locator('#login-error').textContent()).toContain('The token was refused');

      await page.locator('#token').fill(TEST_STATIC_TOKEN);
      await page.locator('#login-form button[type=submit]').click();
      await page.locator('#main').waitFor({ state: 'visible' });
      await page.locator('[data-provider="glm"] .keys .chip').first().waitFor();
      expect(await page.evaluate(() => localStorage.getItem('exai.dashboard.token'))).toBe(TEST_STATIC_TOKEN);

      // A reload goes straight to the data; "Forget token" brings the prompt back.
      await page.reload();
      await page.locator('#main').waitFor({ state: 'visible' });
      await page.locator('#forget').click();
      await page.locator('#login').waitFor({ state: 'visible' });
      expect(await page.evaluate(() => localStorage.getItem('exai.dashboard.token'))).toBeNull();
      await page.close();
    } finally {
      await test.close();
    }
  }, 60_000);
});

describe('dashboard over HTTP', () => {
  let test: TestDaemon;
  beforeAll(async () => {
    test = await startTestDaemon({}, { sim });
  });
  afterAll(async () => test?.close());

  it('serves a page that holds no data, with a strict CSP and nosniff', async () => {
    const response = await fetch(`${test.url}/`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const csp = response.headers.get('content-security-policy') ?? '';
    expect(csp).toContain("default-src 'self'");
    expect(csp).toMatch(/script-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).toMatch(/style-src 'sha256-[A-Za-z0-9+/=]+'(;|$)/);
    expect(csp).not.toContain('unsafe-inline');
    expect(csp).toContain("frame-ancestors 'none'");
    const html = await response.text();
    expect(html).not.toMatch(/<(script|link|img)[^>]+(src|href)="(https?:)?\/\//);
    expect(html).not.toContain('glm#1');
    expect((await fetch(`${test.url}/dashboard`)).status).toBe(200);
  });

  it('answers /api/dashboard with 401 without a token and with the data with one', async () => {
    const refused = await fetch(`${test.url}/api/dashboard`);
    expect(refused.status).toBe(401);
    expect(refused.headers.get('www-authenticate')).toContain('Bearer');
    expect(await refused.json()).toMatchObject({ error: { code: 'missing_token' } });
    expect((await fetch(`${test.url}/api/dashboard`, { headers: { authorization: 'Bearer wrong-token-0123456789' } })).status).toBe(401);

    const response = await fetch(`${test.url}/api/dashboard`, { headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}` } });
    expect(response.status).toBe(200);
    expect(response.headers.get('x-content-type-options')).toBe('nosniff');
    const state = (await response.json()) as DashboardState;
    expect(state).toMatchObject({ service: 'exai-daemon', draining: false, storage: { kind: 'memory', state: 'up', journal_backlog: 0 }, load: { calls_in_flight: 0, queued: 0 } });
    expect(state.providers.map((provider) => provider.provider)).toEqual(['glm', 'kimi']);
    expect(state.providers[0]?.keys).toEqual([expect.objectContaining({ name: 'glm#1', state: 'closed' })]);
    expect(state.series.interval_ms).toBe(10_000);
    expect(state.series.samples.at(-1)).toMatchObject({ partial: true });
  });

  it('refuses other methods and foreign origins', async () => {
    expect((await fetch(`${test.url}/api/dashboard`, { method: 'POST', headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}` } })).status).toBe(405);
    const foreign = await fetch(`${test.url}/api/dashboard`, { headers: { authorization: `Bearer ${TEST_STATIC_TOKEN}`, origin: 'https://evil.example' } });
    expect(foreign.status).toBe(403);
  });

  it('is off with EXAI_DASHBOARD=false: 404', async () => {
    const off = await startTestDaemon({ ...anonymousEnv, EXAI_DASHBOARD: 'false' }, { sim });
    try {
      expect((await fetch(`${off.url}/`)).status).toBe(404);
      expect((await fetch(`${off.url}/dashboard`)).status).toBe(404);
      expect((await fetch(`${off.url}/api/dashboard`)).status).toBe(404);
    } finally {
      await off.close();
    }
  });
});
