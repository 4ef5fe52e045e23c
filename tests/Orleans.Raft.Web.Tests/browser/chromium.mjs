// What every console script shares: the Chromium and playwright-core checks, one headless browser with a throwaway
// profile, the page's script errors, and the exit codes: 0 passed, 1 a check failed, 2 the browser or playwright-core
// is missing.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const CHROMIUM = '/usr/bin/chromium';

export const step = text => console.log(`step: ${text}`);

// Runs check({ page }) in a fresh page; a thrown error fails the script. Script errors on the page fail it too.
export async function inChromium(name, check) {
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
  const userDataDir = mkdtempSync(join(tmpdir(), `raft-${name}-chromium-`));
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
    const passed = await check({ page });
    if (pageErrors.length) throw new Error(`script errors on the page: ${pageErrors.join('; ')}`);
    console.log(passed ?? 'PASS');
  } catch (e) {
    console.error(`FAIL: ${e.stack || e}`);
    process.exitCode = 1;
  } finally {
    await context?.close();
    rmSync(userDataDir, { recursive: true, force: true });
  }
}

// Opens the console, with the access token if there is one.
export async function openConsole(page, baseUrl, token) {
  const response = await page.goto(`${baseUrl}/raft${token ? '?access_token=' + encodeURIComponent(token) : ''}`);
  if (!response.ok()) throw new Error(`GET /raft answered ${response.status()}`);
}
