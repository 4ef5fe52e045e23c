// Drives the Raft console's watch panel in headless Chromium: node watch-test.mjs BASE_URL [ACCESS_TOKEN]
// Exit codes: 0 passed, 1 a check failed, 2 the browser or playwright-core is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl) {
  console.error('usage: node watch-test.mjs BASE_URL [ACCESS_TOKEN]');
  process.exit(2);
}
const CHROMIUM = '/usr/bin/chromium';
if (!existsSync(CHROMIUM)) {
  console.error(`SETUP: Chromium is missing at ${CHROMIUM}: install it with 'apt-get install -y chromium' (.ci/run does)`);
  process.exit(2);
}
let chromium;
try {
  ({ chromium } = await import('playwright-core'));
} catch (e) {
  console.error(`SETUP: playwright-core is missing: run 'npm ci' in ${import.meta.dirname} (.ci/run does): ${e.message}`);
  process.exit(2);
}

const step = text => console.log(`step: ${text}`);
const userDataDir = mkdtempSync(join(tmpdir(), 'raft-watch-chromium-'));
let context;
try {
  context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-background-networking', '--disable-component-update',
      '--disable-sync', '--no-first-run'],
    viewport: { width: 1280, height: 900 },
  });
  const page = context.pages()[0] ?? await context.newPage();
  page.setDefaultTimeout(15000);
  const pageErrors = [];
  page.on('pageerror', e => pageErrors.push(e.message));

  step('open /raft and wait for a leader');
  const response = await page.goto(`${baseUrl}/raft${token ? '?access_token=' + encodeURIComponent(token) : ''}`);
  if (!response.ok()) throw new Error(`GET /raft answered ${response.status()}`);
  await page.waitForFunction(() => document.querySelectorAll('#replicas tbody tr[data-role="Leader"]').length === 1);

  step('start a watch of a prefix');
  const prefix = `watched-${Date.now()}/`;
  await page.fill('#watch-prefix', prefix);
  await page.click('#watch-start');
  await page.waitForFunction(p => document.querySelector('#watch-state').textContent === `watching ${p}`, prefix);
  if (!await page.locator('#watch-start').isDisabled()) throw new Error('Start is still active while watching');

  step('write two keys under it, and one beside it, through the API');
  const revisions = await page.evaluate(async p => {
    const headers = { Authorization: 'Bearer ' + sessionStorage.getItem('raft-access-token'), Accept: 'application/json' };
    const put = async (key, value) => (await (await fetch(`/api/kv/${encodeURIComponent(key)}`, { method: 'PUT', headers, body: value })).json()).revision;
    return [await put(p + 'a', 'one'), await put('elsewhere', 'x'), await put(p + 'b', 'two')];
  }, prefix);
  console.log(`written at revisions ${revisions.join(', ')}`);

  step('both changes show in the panel, newest first, with their revisions');
  await page.waitForFunction(() => document.querySelectorAll('#watch-events li').length >= 2);
  const shown = await page.$$eval('#watch-events li', lis => lis.map(li => li.textContent));
  const expected = [`rev ${revisions[2]}PUT ${prefix}b = two`, `rev ${revisions[0]}PUT ${prefix}a = one`];
  if (JSON.stringify(shown) !== JSON.stringify(expected)) throw new Error(`the panel shows ${JSON.stringify(shown)}, expected ${JSON.stringify(expected)}`);

  step('stop');
  await page.click('#watch-stop');
  await page.waitForFunction(() => document.querySelector('#watch-state').textContent === 'stopped' && !document.querySelector('#watch-start').disabled);

  if (pageErrors.length) throw new Error(`script errors on the page: ${pageErrors.join('; ')}`);
  console.log('PASS');
} catch (e) {
  console.error(`FAIL: ${e.stack || e}`);
  process.exitCode = 1;
} finally {
  await context?.close();
  rmSync(userDataDir, { recursive: true, force: true });
}
