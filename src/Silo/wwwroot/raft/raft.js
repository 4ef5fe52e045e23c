// The Raft console: polls /api/status, /api/members/events and /api/metrics, and calls the API for the forms and buttons.
'use strict';

(() => {
  const STATUS_MS = 500;
  const METRICS_MS = 1000;
  const STEPS_MS = 1000;
  const PLOT_SECONDS = 60;
  const TIMELINE_MAX = 100;
  const WATCH_MAX = 50;

  // A token given in the address is kept for this tab's API calls, then removed from the address bar.
  const params = new URLSearchParams(location.search);
  if (params.has('access_token')) {
    sessionStorage.setItem('raft-access-token', params.get('access_token'));
    params.delete('access_token');
    const query = params.toString();
    history.replaceState(null, '', location.pathname + (query ? '?' + query : '') + location.hash);
  }
  const token = sessionStorage.getItem('raft-access-token');

  const $ = id => document.getElementById(id);
  let faultInjection = false;
  let previous = null;
  // A store split over several groups: the replica table shows the chosen group (or every group), and each action
  // names its replica's group.
  let sharded = false;
  let chosenGroup = '';
  const samples = []; // [{t: seconds, commit: number}]

  async function api(method, path, body, accept) {
    const headers = {};
    if (token) headers.Authorization = 'Bearer ' + token;
    if (accept) headers.Accept = accept;
    if (body !== undefined && typeof body !== 'string') {
      headers['Content-Type'] = 'application/json';
      body = JSON.stringify(body);
    }
    const response = await fetch(path, { method, headers, body, cache: 'no-store' });
    const type = response.headers.get('Content-Type') || '';
    const content = type.includes('json') ? await response.json() : await response.text();
    return { ok: response.ok, status: response.status, content };
  }

  function describeError(r) {
    const p = r.content || {};
    return `${r.status} ${p.title || ''}${p.detail ? ': ' + p.detail : ''}`;
  }

  function cell(text, className) {
    const td = document.createElement('td');
    td.textContent = text ?? '';
    if (className) td.className = className;
    return td;
  }

  function button(label, className, action) {
    const b = document.createElement('button');
    b.type = 'button';
    b.textContent = label;
    b.className = className;
    b.addEventListener('click', action);
    return b;
  }

  async function act(method, path, body, what) {
    const out = $('action-result');
    out.className = 'result';
    out.textContent = what + '…';
    try {
      const r = await api(method, path, body);
      out.className = 'result ' + (r.ok ? 'ok' : 'error');
      out.textContent = r.ok ? what + ': done' : what + ': ' + describeError(r);
    } catch (e) {
      out.className = 'result error';
      out.textContent = what + ': ' + e;
    }
    refresh();
    refreshSteps();
  }

  // The API addresses the store's only group by default; with several, an action must name its group.
  function withGroup(path, group) {
    return sharded && group ? path + (path.includes('?') ? '&' : '?') + 'group=' + encodeURIComponent(group) : path;
  }

  function renderGroups(status) {
    const groups = status.groups || [];
    sharded = groups.length > 1;
    const body = $('groups').tBodies[0];
    body.replaceChildren();
    for (const g of groups) {
      const tr = document.createElement('tr');
      tr.dataset.group = g.name;
      if (!g.leader) tr.classList.add('leaderless');
      if (sharded && g.name === chosenGroup) tr.classList.add('selected');
      const known = value => value ?? '—';
      tr.append(cell(g.name, 'name'), cell(g.leader || 'none', 'leader'), cell(g.leaderNode || '—', 'node'), cell(known(g.term), 'term'),
        cell(known(g.commitIndex), 'commit'), cell(known(g.lag), 'lag'), cell(`${g.live}/${g.members.length}`, 'live'));
      if (sharded) tr.addEventListener('click', () => chooseGroup(g.name === chosenGroup ? '' : g.name));
      body.append(tr);
    }
    const perNode = Object.entries(status.leadersPerNode || {});
    $('leaders-per-node').textContent = perNode.length ? perNode.map(([node, n]) => `${node} ${n}`).join(', ') : 'none';
    $('groups-summary').textContent = sharded ? `(store ${status.store}: ${groups.length} groups; click one to see its replicas)` : '';
    $('group-choice').hidden = !sharded;
    $('replicas').classList.toggle('single-group', !sharded);
    const filter = $('group-filter');
    if (filter.options.length !== groups.length + 1) {
      filter.replaceChildren(new Option('every group', ''), ...groups.map(g => new Option(g.name, g.name)));
      filter.value = chosenGroup;
    }
  }

  function chooseGroup(group) {
    chosenGroup = group;
    $('group-filter').value = group;
    // Another group's history is not this one's: the timeline starts again from the next poll.
    previous = null;
    refresh();
  }

  function renderReplicas(status) {
    const body = $('replicas').tBodies[0];
    body.replaceChildren();
    const stopped = new Set(status.stopped || []);
    const isolated = new Set(Object.values(status.partitions || {}).flat());
    for (const r of status.replicas) {
      const tr = document.createElement('tr');
      tr.dataset.replica = r.name;
      tr.dataset.group = r.group;
      tr.dataset.role = r.role;
      if (r.role === 'Leader') tr.classList.add('leader');
      if (!r.running) tr.classList.add('stopped');
      // The API sends null for the numbers of a replica with no current state (stopped or unreachable).
      const live = value => value ?? '—';
      tr.append(
        cell(r.group, 'group'),
        cell(r.name, 'name'),
        cell(r.node || '—', 'node'),
        cell(r.error ? 'unreachable: ' + r.error : (r.silo || '')),
        cell(r.role, 'role role-' + r.role),
        cell(r.membership || '—', 'membership'),
        cell(live(r.term), 'term'),
        cell(live(r.leader), 'leader'),
        cell(live(r.commitIndex), 'commit'),
        cell(live(r.appliedIndex), 'applied'),
        cell(live(r.lastLogIndex), 'last-log'),
        cell(live(r.snapshotIndex), 'snapshot'));
      const actions = document.createElement('td');
      // A graceful leadership transfer: the leader brings it up to date, then hands over.
      const on = path => withGroup(path, r.group);
      const elect = button('Elect', 'elect', () => act('POST', on(`/api/replicas/${encodeURIComponent(r.name)}/elect`), undefined, `elect ${r.name}`));
      elect.disabled = !r.running || r.membership === 'learner';
      elect.title = !r.running ? `${r.name} is stopped` : r.membership === 'learner' ? `${r.name} is a learner` : `transfer leadership to ${r.name}`;
      actions.append(elect);
      actions.append(button('Remove', 'remove', () => act('DELETE', on(`/api/members/${encodeURIComponent(r.name)}`), undefined, `remove ${r.name}`)));
      if (faultInjection) {
        if (isolated.has(r.name)) {
          actions.append(button('Rejoin', 'rejoin', () => act('POST', on(`/api/faults/join/${encodeURIComponent('isolate-' + r.name)}`), undefined, `rejoin ${r.name}`)));
        } else {
          actions.append(button('Isolate', 'isolate', () => act('POST', on('/api/faults/split'), { name: 'isolate-' + r.name, replicas: [r.name] }, `isolate ${r.name}`)));
        }
        actions.append(stopped.has(r.name) || !r.running
          ? button('Start', 'start', () => act('POST', on(`/api/replicas/${encodeURIComponent(r.name)}/start`), undefined, `start ${r.name}`))
          : button('Stop', 'stop', () => act('POST', on(`/api/replicas/${encodeURIComponent(r.name)}/stop`), undefined, `stop ${r.name}`)));
      }
      tr.append(actions);
      body.append(tr);
    }
    $('faults').hidden = !faultInjection;
    const partitions = Object.entries(status.partitions || {});
    $('partitions').textContent = partitions.length === 0 ? 'no partitions'
      : 'partitions: ' + partitions.map(([name, members]) => `${name} [${members.join(', ')}]`).join('; ');
  }

  // Newest first, in time order: a membership step fetched after a later status poll still lands where it happened.
  function addEvent(text, time, kind) {
    const at = new Date(time);
    const li = document.createElement('li');
    li.dataset.time = at.getTime();
    if (kind) li.className = kind;
    const t = document.createElement('time');
    t.dateTime = at.toISOString();
    t.textContent = at.toLocaleTimeString();
    li.append(t, document.createTextNode(text));
    const list = $('timeline');
    const older = [...list.children].find(x => Number(x.dataset.time) <= at.getTime());
    list.insertBefore(li, older || null);
    while (list.children.length > TIMELINE_MAX) list.lastChild.remove();
  }

  // Membership steps (self-repair's too) as the membership grain recorded them, each fetched once by its sequence number.
  let stepsEpoch = null;
  let stepsAfter = 0;
  let stepsBusy = false;
  async function refreshSteps() {
    if (stepsBusy) return;
    stepsBusy = true;
    try {
      let r = await api('GET', `/api/members/events?after=${stepsAfter}`);
      if (!r.ok) return;
      if (stepsEpoch !== null && r.content.epoch !== stepsEpoch) {
        // A new activation of the grain (its silo went away): its numbers start again, and what the old one held is gone.
        addEvent('membership record restarted: earlier steps are lost', new Date(), 'membership');
        stepsAfter = 0;
        r = await api('GET', '/api/members/events?after=0');
        if (!r.ok) return;
      }
      const page = r.content;
      stepsEpoch = page.epoch;
      if (page.missed > 0 && page.events.length) {
        addEvent(`${page.missed} earlier membership step${page.missed === 1 ? '' : 's'} no longer held`, page.events[0].time, 'membership');
      }
      for (const e of page.events) {
        const text = e.text.startsWith(e.operation) ? e.text : `${e.operation}: ${e.text}`;
        addEvent(text, e.time, e.refused ? 'membership refused' : 'membership');
      }
      stepsAfter = page.last;
    } catch {
      // The status poll reports connection problems.
    } finally {
      stepsBusy = false;
    }
  }

  // The timeline is derived from successive status snapshots: what changed between two polls.
  function diff(prev, next) {
    const maxTerm = s => Math.max(0, ...s.replicas.filter(r => r.running).map(r => r.term));
    if (!prev) {
      addEvent(`console opened: term ${maxTerm(next)}, leader ${next.leader || 'none'}`, next.time);
      return;
    }
    const term = maxTerm(next);
    if (term > maxTerm(prev)) {
      const campaigners = next.replicas.filter(r => r.term === term && (r.role === 'Candidate' || r.role === 'PreCandidate' || r.role === 'Leader')).map(r => r.name);
      addEvent(`election: term ${term}${campaigners.length ? ' (' + campaigners.join(', ') + ')' : ''}`, next.time);
    }
    const config = s => s.configuration ? `voters [${s.configuration.voters.join(', ')}], learners [${s.configuration.learners.join(', ')}]` : null;
    if (config(next) && config(prev) && config(next) !== config(prev)) addEvent(`configuration: ${config(next)}`, next.time);
    if (next.leader !== prev.leader) {
      const leaderTerm = (next.replicas.find(r => r.name === next.leader) || {}).term;
      addEvent(next.leader ? `leader changed: ${prev.leader || 'none'} → ${next.leader} (term ${leaderTerm})` : `no leader (was ${prev.leader})`, next.time);
    }
    for (const r of next.replicas) {
      const before = prev.replicas.find(p => p.name === r.name);
      if (before && before.running !== r.running) addEvent(`${r.name} ${r.running ? 'started' : 'stopped'}`, next.time);
    }
    const before = prev.partitions || {}, after = next.partitions || {};
    for (const [name, members] of Object.entries(after)) {
      const old = before[name];
      if (!old) addEvent(`partition ${name}: ${members.join(', ')} cut off from the rest`, next.time);
      else if (old.join() !== members.join()) addEvent(`partition ${name} now holds ${members.join(', ')}`, next.time);
    }
    for (const name of Object.keys(before)) {
      if (!after[name]) addEvent(`partition ${name} healed`, next.time);
    }
  }

  function recordCommits(status) {
    const commit = Math.max(0, ...status.replicas.map(r => r.commitIndex));
    const t = performance.now() / 1000;
    samples.push({ t, commit });
    while (samples.length && samples[0].t < t - PLOT_SECONDS - 1) samples.shift();
    drawPlot();
  }

  function drawPlot() {
    const canvas = $('commits');
    const ctx = canvas.getContext('2d');
    const w = canvas.width, h = canvas.height, left = 40, bottom = 20, top = 10, right = 10;
    ctx.clearRect(0, 0, w, h);
    // Commits per second between consecutive samples; a drop in commit index (a restart) counts as zero.
    const rates = [];
    for (let i = 1; i < samples.length; i++) {
      const dt = samples[i].t - samples[i - 1].t;
      const commits = Math.max(0, samples[i].commit - samples[i - 1].commit);
      if (dt > 0) rates.push({ t: samples[i].t, dt, commits, rate: commits / dt });
    }
    const now = samples.length ? samples[samples.length - 1].t : 0;
    const shown = rates.filter(r => r.t - r.dt >= now - PLOT_SECONDS);
    const max = Math.max(1, ...shown.map(r => r.rate));
    const magnitude = Math.pow(10, Math.floor(Math.log10(max)));
    const niceMax = [1, 2, 5, 10].map(m => m * magnitude).find(v => v >= max);
    const x = t => left + (w - left - right) * (1 - (now - t) / PLOT_SECONDS);
    const y = v => h - bottom - (h - bottom - top) * (v / niceMax);
    ctx.strokeStyle = '#c8ced8';
    ctx.fillStyle = '#6b7380';
    ctx.font = '11px system-ui, sans-serif';
    ctx.beginPath();
    for (const v of [0, niceMax / 2, niceMax]) {
      ctx.moveTo(left, y(v)); ctx.lineTo(w - right, y(v));
      ctx.fillText(String(Math.round(v * 10) / 10), 2, y(v) + 4);
    }
    ctx.stroke();
    ctx.fillText(`-${PLOT_SECONDS}s`, left, h - 4);
    ctx.fillText('now', w - right - 22, h - 4);
    ctx.strokeStyle = '#1a73e8';
    ctx.lineWidth = 2;
    ctx.beginPath();
    shown.forEach((r, i) => i === 0 ? ctx.moveTo(x(r.t), y(r.rate)) : ctx.lineTo(x(r.t), y(r.rate)));
    ctx.stroke();
    ctx.lineWidth = 1;
    // The label sums up the plotted window itself, so it agrees with what the line shows.
    const span = shown.reduce((sum, r) => sum + r.dt, 0);
    const committed = shown.reduce((sum, r) => sum + r.commits, 0);
    const peak = Math.max(0, ...shown.map(r => r.rate));
    const label = $('commits-rate');
    label.dataset.peak = peak;
    label.dataset.latest = shown.length ? shown[shown.length - 1].rate : 0;
    label.textContent = `last ${Math.round(span)} s: ${committed} commits, peak ${peak.toFixed(1)}/s, mean ${(span > 0 ? committed / span : 0).toFixed(1)}/s`;
  }

  let refreshing = false;
  async function refresh() {
    if (refreshing) return;
    refreshing = true;
    try {
      const r = await api('GET', chosenGroup ? '/api/status?group=' + encodeURIComponent(chosenGroup) : '/api/status');
      if (!r.ok) throw new Error(describeError(r));
      const status = r.content;
      renderGroups(status);
      faultInjection = status.faultInjection;
      $('group').textContent = status.group;
      $('leader').textContent = status.leader || (sharded && !chosenGroup ? 'one per group' : 'none');
      $('term').textContent = Math.max(0, ...status.replicas.filter(x => x.running).map(x => x.term));
      $('connection').textContent = 'live';
      $('connection').className = 'ok';
      diff(previous, status);
      previous = status;
      renderReplicas(status);
      recordCommits(status);
    } catch (e) {
      $('connection').textContent = 'error: ' + e.message;
      $('connection').className = 'bad';
    } finally {
      refreshing = false;
    }
  }

  async function refreshMetrics() {
    try {
      const r = await api('GET', '/api/metrics');
      if (!r.ok) return;
      const m = r.content;
      const body = $('metrics').tBodies[0];
      body.replaceChildren();
      const row = (name, value) => {
        const tr = document.createElement('tr');
        tr.append(cell(name), cell(value));
        body.append(tr);
      };
      for (const [name, value] of Object.entries(m.counters)) row(name, value);
      for (const [name, h] of Object.entries(m.histograms)) {
        const f = v => v == null ? '—' : v.toFixed(2);
        row(name, `count ${h.count}, mean ${f(h.mean)} ${h.unit || ''}, p50 ${f(h.p50)}, p99 ${f(h.p99)}, max ${f(h.max)}`);
      }
      // With several groups a replica's name is no longer unique: its group goes first.
      for (const [name, values] of Object.entries(m.gauges)) row(name, values.map(v => `${sharded ? v.group + '/' : ''}${v.replica}=${v.value}`).join('  '));
    } catch {
      // The status poll reports connection problems.
    }
  }

  function keyPath() {
    // The server decodes every escape once, so '/', '%' and a leading '/' all survive.
    return '/api/kv/' + encodeURIComponent($('kv-key').value);
  }

  async function kv(method) {
    const out = $('kv-result');
    const key = $('kv-key').value;
    if (!key) {
      out.className = 'result error';
      out.textContent = 'enter a key';
      return;
    }
    out.className = 'result';
    out.textContent = method + ' ' + key + '…';
    try {
      const r = method === 'PUT' ? await api('PUT', keyPath(), $('kv-value').value, 'application/json')
        : await api(method, keyPath(), undefined, 'application/json');
      if (!r.ok) {
        out.className = 'result error';
        out.textContent = describeError(r);
        return;
      }
      out.className = 'result ok';
      if (method === 'GET') {
        $('kv-value').value = r.content.value;
        out.textContent = `${key} = ${r.content.value}\n(index ${r.content.index}, served by ${r.content.servedBy})`;
      } else {
        out.textContent = `${method === 'PUT' ? 'set' : 'deleted'} ${key} (index ${r.content.index}, served by ${r.content.servedBy})`;
      }
    } catch (e) {
      out.className = 'result error';
      out.textContent = String(e);
    }
  }

  // The watch panel: Server-Sent Events from /api/watch. After a dropped connection EventSource reconnects by itself
  // and sends Last-Event-ID (the last revision shown), so the silo resumes right after it: nothing missed or repeated.
  // It sends the access token as the cookie the silo set when the page was opened with ?access_token=.
  let watch = null;

  function showWatchEvent(type, text, revision) {
    const li = document.createElement('li');
    li.className = type;
    if (revision !== undefined) {
      const rev = document.createElement('span');
      rev.className = 'rev';
      rev.textContent = `rev ${revision}`;
      li.appendChild(rev);
    }
    const kind = document.createElement('span');
    kind.className = 'type';
    kind.textContent = type.toUpperCase() + ' ';
    li.appendChild(kind);
    li.appendChild(document.createTextNode(text));
    const list = $('watch-events');
    list.insertBefore(li, list.firstChild);
    while (list.children.length > WATCH_MAX) list.removeChild(list.lastChild);
  }

  function stopWatch(state) {
    if (watch) watch.close();
    watch = null;
    $('watch-start').disabled = false;
    $('watch-stop').disabled = true;
    $('watch-prefix').disabled = false;
    $('watch-state').textContent = state;
  }

  function startWatch() {
    stopWatch('');
    const prefix = $('watch-prefix').value;
    $('watch-events').replaceChildren();
    const source = new EventSource(`/api/watch?prefix=${encodeURIComponent(prefix)}`);
    watch = source;
    $('watch-start').disabled = true;
    $('watch-stop').disabled = false;
    $('watch-prefix').disabled = true;
    $('watch-state').textContent = `connecting to ${prefix || 'every key'}...`;
    source.onopen = () => { if (watch === source) $('watch-state').textContent = `watching ${prefix || 'every key'}`; };
    source.onerror = () => { if (watch === source) $('watch-state').textContent = 'reconnecting...'; };
    for (const type of ['put', 'delete']) {
      source.addEventListener(type, e => {
        const d = JSON.parse(e.data);
        showWatchEvent(type, type === 'put' ? `${d.kv.key} = ${d.kv.value}` : d.kv.key, d.revision);
      });
    }
    source.addEventListener('compacted', e => {
      const d = JSON.parse(e.data);
      showWatchEvent('compacted', `history compacted up to ${d.compactRevision}: restart to watch from now`);
      stopWatch('stopped: compacted');
    });
  }

  $('watch-form').addEventListener('submit', e => { e.preventDefault(); startWatch(); });
  $('watch-stop').addEventListener('click', () => stopWatch('stopped'));

  $('kv-get').addEventListener('click', () => kv('GET'));
  $('kv-set').addEventListener('click', () => kv('PUT'));
  $('kv-delete').addEventListener('click', () => kv('DELETE'));
  $('kv-form').addEventListener('submit', e => { e.preventDefault(); kv('GET'); });
  $('heal').addEventListener('click', () => act('POST', withGroup('/api/faults/heal', chosenGroup), undefined, 'heal'));
  $('member-add').addEventListener('click', () => {
    const node = $('member-node').value.trim();
    // With several groups the API asks which one; it says so in the result line.
    act('POST', withGroup('/api/members', chosenGroup), node ? { node } : undefined, (node ? `add a replica on ${node}` : 'add a replica') + (chosenGroup ? ` to ${chosenGroup}` : ''));
  });
  $('node-drain').addEventListener('click', () => {
    const node = $('member-node').value.trim();
    // Without a chosen group, every group with a replica on the node, one after another.
    if (node) act('POST', withGroup(`/api/nodes/${encodeURIComponent(node)}/drain`, chosenGroup), undefined, `drain ${node}` + (chosenGroup ? ` of ${chosenGroup}` : ''));
  });
  $('group-filter').addEventListener('change', e => chooseGroup(e.target.value));

  refresh();
  refreshSteps();
  refreshMetrics();
  setInterval(refresh, STATUS_MS);
  setInterval(refreshSteps, STEPS_MS);
  setInterval(refreshMetrics, METRICS_MS);
})();
