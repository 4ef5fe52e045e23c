// Drives the Raft console's watch panel in headless Chromium: node watch-test.mjs BASE_URL [ACCESS_TOKEN]
// Exit codes: 0 passed, 1 a check failed, 2 the browser or playwright-core is missing.
import { inChromium, openConsole, step } from './chromium.mjs';

const [baseUrl, token] = process.argv.slice(2);
if (!baseUrl) {
  console.error('usage: node watch-test.mjs BASE_URL [ACCESS_TOKEN]');
  process.exit(2);
}

await inChromium('watch', async ({ page }) => {
  step('open /raft and wait for a leader');
  await openConsole(page, baseUrl, token);
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
});
