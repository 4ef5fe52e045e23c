// Drives the Raft console in headless Chromium: node console-test.mjs BASE_URL SCREENSHOT_PATH [ACCESS_TOKEN]
// A second screenshot, of the confirmation dialog, goes next to the first (SCREENSHOT_PATH with -confirm before .png).
// Exit codes: 0 passed, 1 a check failed, 2 the browser or playwright-core is missing.
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { inChromium, openConsole, step } from './chromium.mjs';

const [baseUrl, screenshotPath, token] = process.argv.slice(2);
if (!baseUrl || !screenshotPath) {
  console.error('usage: node console-test.mjs BASE_URL SCREENSHOT_PATH [ACCESS_TOKEN]');
  process.exit(2);
}

// Answers the open confirmation dialog with OK and returns what it said.
async function confirmOk(page) {
  await page.waitForSelector('#confirm[open]');
  const text = await page.textContent('#confirm-text');
  await page.click('#confirm-ok');
  await page.waitForSelector('#confirm:not([open])', { state: 'attached' });
  return text;
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

  step('the nodes view: n1 is up, holds the five replicas and leads the one group');
  await page.waitForSelector('#nodes tbody tr[data-node="n1"]');
  const node = await page.$$eval('#nodes tbody tr[data-node="n1"] td', tds => Object.fromEntries(tds.map(td => [td.className, td.textContent])));
  if (node.state !== 'up' || node.replicas !== '5' || node.leads !== '1' || !/:\d+$/.test(node.address)) {
    throw new Error(`node n1 shows ${JSON.stringify(node)}`);
  }

  step("per-peer replication: a row for each of the leader's four peers, with match, next, lag and state");
  await page.waitForFunction(() => document.querySelectorAll('#peers tbody tr[data-peer]').length === 4);
  const peers = await page.$$eval('#peers tbody tr[data-peer]', trs => trs.map(tr => ({
    peer: tr.dataset.peer, leader: tr.querySelector('td.leader').textContent, state: tr.querySelector('td.state').textContent,
    match: Number(tr.querySelector('td.match').textContent), next: Number(tr.querySelector('td.next').textContent),
    lag: tr.querySelector('td.lag').textContent,
  })));
  for (const p of peers) {
    if (p.peer === leader || p.leader !== leader) throw new Error(`a peer row that is not the leader's view of a follower: ${JSON.stringify(p)}`);
    if (!['probe', 'replicate', 'snapshot'].includes(p.state) || !(p.next > p.match) || !/^\d+$/.test(p.lag)) throw new Error(`a peer row reads ${JSON.stringify(p)}`);
  }

  step('a commit-rate sparkline in the group row');
  // An idle group's line is flat (zero commits/s), so it has no area: count its points instead of asking it to be visible.
  await page.waitForFunction(() => {
    const line = document.querySelector('#groups tbody tr td.spark svg.sparkline polyline');
    return line && line.getAttribute('points').trim().split(' ').length >= 2;
  });

  step('fsync latency: what /api/metrics says, then a histogram served in its place');
  const fsync = await page.evaluate(async () => {
    const headers = { Authorization: 'Bearer ' + sessionStorage.getItem('raft-access-token') };
    return (await (await fetch('/api/metrics', { headers })).json()).histograms['raft.wal.fsync.duration'] ?? null;
  });
  if (fsync && fsync.count > 0) await page.waitForFunction(() => /WAL fsync: p50 [\d.]+ \S+, p99 [\d.]+/.test(document.querySelector('#fsync').textContent));
  else await page.waitForFunction(() => document.querySelector('#fsync').textContent.includes('no data'));
  console.log(`fsync: ${await page.textContent('#fsync')}`);
  await page.route('**/api/metrics', route => route.fulfill({
    contentType: 'application/json',
    body: JSON.stringify({ meter: 'Orleans.Raft', counters: {}, gauges: {},
      histograms: { 'raft.wal.fsync.duration': { unit: 'ms', count: 3, sum: 10, mean: 3.3, max: 7.5, p50: 1.25, p99: 7.5 } } }),
  }));
  await page.waitForFunction(() => document.querySelector('#fsync').textContent === 'WAL fsync: p50 1.25 ms, p99 7.50 ms (3 syncs)');
  await page.unroute('**/api/metrics');

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

  step('a leadership transfer asks first: Cancel sends nothing');
  const other = leader === 'r2' ? 'r3' : 'r2';
  const sent = [];
  page.on('request', r => { if (r.method() !== 'GET') sent.push(`${r.method()} ${new URL(r.url()).pathname}`); });
  await page.click(`#replicas tbody tr[data-replica="${other}"] button.transfer`);
  await page.waitForSelector('#confirm[open]');
  const question = await page.textContent('#confirm-text');
  if (!question.includes(`from ${leader} to ${other}`)) throw new Error(`the dialog does not say what will happen: '${question}'`);
  const call = await page.textContent('#confirm-call');
  if (call !== `POST /api/leader/${other}`) throw new Error(`the dialog names the call '${call}'`);
  mkdirSync(dirname(screenshotPath), { recursive: true });
  const dialogShot = screenshotPath.replace(/\.png$/, '') + '-confirm.png';
  await page.screenshot({ path: dialogShot });
  console.log(`screenshot: ${dialogShot}`);
  await page.click('#confirm-cancel');
  await page.waitForFunction(() => document.querySelector('#action-result').textContent.includes('cancelled'));
  if (sent.length) throw new Error(`Cancel sent ${sent.join(', ')}`);
  if (await page.locator(leaderRows).getAttribute('data-replica') !== leader) throw new Error('the leader changed after Cancel');

  step('OK transfers the leadership');
  await page.click(`#replicas tbody tr[data-replica="${other}"] button.transfer`);
  await confirmOk(page);
  await page.waitForFunction(([sel, old]) => {
    const rows = document.querySelectorAll(sel);
    return rows.length === 1 && rows[0].dataset.replica !== old;
  }, [leaderRows, leader]);
  const newLeader = await page.locator(leaderRows).getAttribute('data-replica');
  console.log(`new leader: ${newLeader} (election started on ${other})`);
  if (!sent.includes(`POST /api/leader/${other}`)) throw new Error(`OK sent ${sent.join(', ') || 'nothing'}`);
  await page.waitForFunction(() => document.querySelector('#action-result').className.includes('ok'));
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

  step('after a reload the timeline, kept by the silo, still shows the transfer');
  await page.reload();
  await page.waitForFunction(o => {
    const texts = [...document.querySelectorAll('#timeline li.event')].map(li => li.textContent);
    return texts.some(t => t.includes(`transfer leadership to ${o}: `)) && texts.some(t => t.includes(`→ ${o} (term`));
  }, other);
  await page.waitForSelector('#replicas tbody tr');

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
  const sparkPeak = await page.getAttribute('#groups tbody tr td.spark svg.sparkline', 'data-peak');
  if (!(Number(sparkPeak) > 0)) throw new Error(`the group's sparkline shows no commits after a burst of writes (peak ${sparkPeak})`);

  step('a stopped replica shows dashes and cannot be elected');
  const current = await page.locator(leaderRows).getAttribute('data-replica');
  const followers = ['r1', 'r2', 'r3', 'r4', 'r5'].filter(r => r !== current);
  const [stopped, isolated] = followers;
  await page.click(`#replicas tbody tr[data-replica="${stopped}"] button.stop`);
  await confirmOk(page);
  const stoppedRow = `#replicas tbody tr.stopped[data-replica="${stopped}"]`;
  await page.waitForSelector(stoppedRow);
  for (const column of ['term', 'leader', 'commit', 'applied', 'last-log', 'snapshot']) {
    const text = await page.textContent(`${stoppedRow} td.${column}`);
    if (text !== '—') throw new Error(`stopped ${stopped} shows '${text}' as its ${column}, not a dash`);
  }
  if (!await page.locator(`${stoppedRow} button.transfer`).isDisabled()) throw new Error(`Make leader is active on stopped ${stopped}`);

  step('the timeline reads as text');
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.isolate`);
  await confirmOk(page);
  await page.waitForFunction(r => [...document.querySelectorAll('#timeline li')].some(li => li.textContent.includes(`partition isolate-${r}: ${r} cut off`)), isolated);
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.rejoin`);
  await confirmOk(page);
  await page.waitForFunction(r => [...document.querySelectorAll('#timeline li')].some(li => li.textContent.includes(`partition isolate-${r} healed`)), isolated);
  await page.click(`#replicas tbody tr[data-replica="${isolated}"] button.isolate`);
  await confirmOk(page);
  await page.waitForFunction(r => document.querySelector(`#replicas tbody tr[data-replica="${r}"] button.rejoin`), isolated);
  const events = await page.$$eval('#timeline li', lis => lis.map(li => li.textContent));
  const raw = events.filter(e => /[{}\[\]"]/.test(e));
  if (raw.length) throw new Error(`the timeline shows raw data: ${raw.join(' | ')}`);
  console.log(`timeline:\n  ${events.join('\n  ')}`);

  await page.screenshot({ path: screenshotPath, fullPage: true });
  console.log(`screenshot: ${screenshotPath}`);

  if (foreign.length) throw new Error(`the page fetched from elsewhere: ${foreign.join(', ')}`);
  return `PASS leader ${leader} -> ${newLeader}`;
});
