// Drives the Raft console in headless Chromium: node console-test.mjs BASE_URL SCREENSHOT_PATH [ACCESS_TOKEN]
// Exit codes: 0 passed, 1 a check failed, 2 the browser or playwright-core is missing.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { inChromium, openConsole, step } from './chromium.mjs';

const [baseUrl, screenshotPath, token] = process.argv.slice(2);
if (!baseUrl || !screenshotPath) {
  console.error('usage: node console-test.mjs BASE_URL SCREENSHOT_PATH [ACCESS_TOKEN]');
  process.exit(2);
}

await inChromium('console', async ({ page }) => {
  // Nothing may be fetched from outside this silo.
  const origin = new URL(baseUrl).origin;
  const foreign = [];
  page.on('request', r => { if (!r.url().startsWith(origin) && !r.url().startsWith('data:')) foreign.push(r.url()); });

  step('open /raft');
  await openConsole(page, baseUrl, token);
  await page.waitForSelector('#replicas tbody tr');

  step('exactly one leader in the table');
  const leaderRows = '#replicas tbody tr[data-role="Leader"]';
  await page.waitForFunction(sel => document.querySelectorAll(sel).length === 1, leaderRows);
  const rows = await page.locator('#replicas tbody tr').count();
  if (rows !== 5) throw new Error(`expected 5 replicas in the table, saw ${rows}`);
  // A lone development node holds every replica.
  const nodes = await page.locator('#replicas tbody tr td.node').allTextContents();
  if (nodes.some(n => n !== 'n1')) throw new Error(`expected every replica on node n1, saw ${nodes.join(', ')}`);
  const leader = await page.locator(leaderRows).getAttribute('data-replica');
  console.log(`leader: ${leader}`);

  step('set a key through the form');
  const key = 'browser-key';
  const value = `set from Chromium at ${new Date().toISOString()}`;
  await page.fill('#kv-key', key);
  await page.fill('#kv-value', value);
  await page.click('#kv-set');
  await page.waitForFunction(() => document.querySelector('#kv-result').textContent.startsWith('set '));

  step('read it back');
  await page.fill('#kv-value', '');
  await page.click('#kv-get');
  await page.waitForFunction(() => document.querySelector('#kv-result').className.includes('ok') &&
    document.querySelector('#kv-result').textContent.startsWith('browser-key ='));
  const read = await page.inputValue('#kv-value');
  if (read !== value) throw new Error(`read back '${read}', expected '${value}'`);

  step('a missing key shows the error');
  await page.fill('#kv-key', 'no-such-key-here');
  await page.click('#kv-get');
  await page.waitForFunction(() => document.querySelector('#kv-result').textContent.startsWith('404'));
  await page.fill('#kv-key', key);
  await page.click('#kv-get');
  await page.waitForFunction(() => document.querySelector('#kv-result').className.includes('ok'));

  step('start an election on another replica');
  const other = leader === 'r2' ? 'r3' : 'r2';
  await page.click(`#replicas tbody tr[data-replica="${other}"] button.elect`);
  await page.waitForFunction(([sel, old]) => {
    const rows = document.querySelectorAll(sel);
    return rows.length === 1 && rows[0].dataset.replica !== old;
  }, [leaderRows, leader]);
  const newLeader = await page.locator(leaderRows).getAttribute('data-replica');
  console.log(`new leader: ${newLeader} (election started on ${other})`);
  await page.waitForFunction(() => [...document.querySelectorAll('#timeline li')].some(li => li.textContent.includes('leader changed')));

  step("the transfer's membership steps show in the timeline, newest first, each with its time");
  const transferSteps = [`leader transfer: transferring leadership from ${leader} to ${other}`, `leader transfer: ${other} leads`];
  await page.waitForFunction(steps => {
    const texts = [...document.querySelectorAll('#timeline li.membership')].map(li => li.lastChild.textContent);
    const [started, done] = steps.map(s => texts.indexOf(s));
    return started >= 0 && done >= 0 && done < started;
  }, transferSteps);
  const stepTimes = await page.$$eval('#timeline li.membership time', ts => ts.map(t => t.textContent));
  if (stepTimes.some(t => !/\d+:\d+:\d+/.test(t))) throw new Error(`a membership step shows no time: ${stepTimes.join(', ')}`);

  step('metrics and plot');
  await page.waitForFunction(() => document.querySelector('#metrics').textContent.includes('raft.elections.won'));

  step('the plot label shows the burst the line shows, also once it is over');
  await page.evaluate(async () => {
    const headers = { Authorization: 'Bearer ' + sessionStorage.getItem('raft-access-token') };
    for (let i = 0; i < 20; i++) await fetch(`/api/kv/burst-${i}`, { method: 'PUT', headers, body: String(i) });
  });
  // Idle again: the latest rate plotted is zero while the burst is still on the plot.
  await page.waitForFunction(() => {
    const label = document.querySelector('#commits-rate');
    return label && Number(label.dataset.latest) === 0 && Number(label.dataset.peak) > 0;
  });
  const plotLabel = await page.textContent('#commits-rate');
  console.log(`plot label: ${plotLabel}`);
  if (!/peak [1-9]/.test(plotLabel)) throw new Error(`the plot label shows no peak after a burst of writes: '${plotLabel}'`);

  step('a stopped replica shows dashes and cannot be elected');
  const current = await page.locator(leaderRows).getAttribute('data-replica');
  const followers = ['r1', 'r2', 'r3', 'r4', 'r5'].filter(r => r !== current);
  const [stopped, isolated] = followers;
  await page.click(`#replicas tbody tr[data-replica="${stopped}"] button.stop`);
  const stoppedRow = `#replicas tbody tr.stopped[data-replica="${stopped}"]`;
  await page.waitForSelector(stoppedRow);
  for (const column of ['term', 'leader', 'commit', 'applied', 'last-log', 'snapshot']) {
    const text = await page.textContent(`${stoppedRow} td.${column}`);
    if (text !== '—') throw new Error(`stopped ${stopped} shows '${text}' as its ${column}, not a dash`);
  }
  if (!await page.locator(`${stoppedRow} button.elect`).isDisabled()) throw new Error(`Elect is active on stopped ${stopped}`);

  step('the timeline reads as text');
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.isolate`);
  await page.waitForFunction(r => [...document.querySelectorAll('#timeline li')].some(li => li.textContent.includes(`partition isolate-${r}: ${r} cut off`)), isolated);
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.rejoin`);
  await page.waitForFunction(r => [...document.querySelectorAll('#timeline li')].some(li => li.textContent.includes(`partition isolate-${r} healed`)), isolated);
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.isolate`);
  await page.waitForFunction(r => document.querySelector(`#replicas tbody tr[data-replica="${r}"] button.rejoin`), isolated);
  const events = await page.$$eval('#timeline li', lis => lis.map(li => li.textContent));
  const raw = events.filter(e => /[{}\[\]"]/.test(e));
  if (raw.length) throw new Error(`the timeline shows raw data: ${raw.join(' | ')}`);
  console.log(`timeline:\n  ${events.join('\n  ')}`);

  mkdirSync(dirname(screenshotPath), { recursive: true });
  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`screenshot: ${screenshotPath}`);

  if (foreign.length) throw new Error(`the page fetched from elsewhere: ${foreign.join(', ')}`);
  return `PASS leader ${leader} -> ${newLeader}`;
});
