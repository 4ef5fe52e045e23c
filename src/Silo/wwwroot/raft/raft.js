// The Raft console: polls /api/status, /api/events, /api/members/events and /api/metrics, and calls the API for the
// forms and buttons, each operation after a confirmation.
'use strict';

(() => {
  const STATUS_MS = 500;
  const METRICS_MS = 1000;
  const STEPS_MS = 1000;
  const EVENTS_MS = 1000;
  const SPARK_SAMPLES = 60;
  const FSYNC = 'raft.wal.fsync.duration';
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
  // A store split over several groups: the replica table shows the chosen group (or every group), and each action
  // names its replica's group.
  let sharded = false;
  let chosenGroup = '';
  const samples = []; // [{t: seconds, commit: number}]
  const groupSamples = new Map(); // group -> [{t, commit}], for the sparklines

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

  // Shows what an operation will do and resolves true on OK, false on Cancel or Escape.
  function confirmAction(title, text, call) {
    const dialog = $('confirm');
    $('confirm-title').textContent = title;
    $('confirm-text').textContent = text;
    $('confirm-call').textContent = call;
    dialog.returnValue = '';
    return new Promise(resolve => {
      dialog.addEventListener('close', () => resolve(dialog.returnValue === 'ok'), { once: true });
      dialog.showModal();
      $('confirm-cancel').focus();
    });
  }

  // An operation: confirmed first (explain says exactly what will happen), then called, then its outcome shown.
  async function act(method, path, body, what, explain) {
    const out = $('action-result');
    if (!await confirmAction(what[0].toUpperCase() + what.slice(1) + '?', explain, `${method} ${path}${body ? ' ' + JSON.stringify(body) : ''}`)) {
      out.className = 'result';
      out.textContent = what + ': cancelled, nothing was sent';
      return;
    }
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
    refreshEvents();
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
        cell(known(g.commitIndex), 'commit'), cell(known(g.lag), 'lag'), cell(`${g.live}/${g.members.length}`, 'live'),
        cell(g.members.map(m => m.split('@')[0]).join(', '), 'members'), sparkCell(g.name));
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
    refresh();
  }

  // Each group's commit index as polled, for its sparkline; a drop (a new leader behind) counts as zero.
  function recordGroupCommits(status) {
    const t = performance.now() / 1000;
    for (const g of status.groups || []) {
      if (g.commitIndex == null) continue;
      const list = groupSamples.get(g.name) || [];
      list.push({ t, commit: g.commitIndex });
      while (list.length > SPARK_SAMPLES + 1) list.shift();
      groupSamples.set(g.name, list);
    }
  }

  // A small inline SVG of commits per second between successive polls, newest on the right.
  function sparkCell(group) {
    const td = document.createElement('td');
    td.className = 'spark';
    const list = groupSamples.get(group) || [];
    const rates = [];
    for (let i = 1; i < list.length; i++) {
      const dt = list[i].t - list[i - 1].t;
      if (dt > 0) rates.push(Math.max(0, list[i].commit - list[i - 1].commit) / dt);
    }
    const w = 120, h = 24;
    const max = Math.max(1, ...rates);
    const ns = 'http://www.w3.org/2000/svg';
    const svg = document.createElementNS(ns, 'svg');
    svg.setAttribute('class', 'sparkline');
    svg.setAttribute('width', w);
    svg.setAttribute('height', h);
    svg.setAttribute('viewBox', `0 0 ${w} ${h}`);
    const line = document.createElementNS(ns, 'polyline');
    const step = w / SPARK_SAMPLES;
    line.setAttribute('points', rates.map((r, i) => `${(w - (rates.length - 1 - i) * step).toFixed(1)},${(h - 1 - (h - 2) * r / max).toFixed(1)}`).join(' '));
    svg.append(line);
    const peak = Math.max(0, ...rates);
    const latest = rates.length ? rates[rates.length - 1] : 0;
    svg.dataset.peak = peak;
    svg.dataset.latest = latest;
    const title = document.createElementNS(ns, 'title');
    title.textContent = `${latest.toFixed(1)} commits/s now, peak ${peak.toFixed(1)}/s over the last ${rates.length} polls`;
    svg.append(title);
    td.append(svg);
    return td;
  }

  function renderNodes(status) {
    const body = $('nodes').tBodies[0];
    body.replaceChildren();
    for (const n of status.nodes || []) {
      const tr = document.createElement('tr');
      tr.dataset.node = n.name;
      tr.className = n.state === 'up' ? 'up' : n.state === 'unknown' ? 'unknown' : 'down';
      const state = n.state === 'up' ? 'up' : n.state === 'unknown' ? 'unreachable (no silo joined as this node)' : `unreachable (${n.state})`;
      tr.append(cell(n.name, 'name'), cell(n.address || '—', 'address'), cell(state, 'state'),
        cell(n.liveReplicas === n.replicas ? String(n.replicas) : `${n.replicas} (${n.liveReplicas} live)`, 'replicas'), cell(String(n.leads), 'leads'));
      body.append(tr);
    }
  }

  // Each group's leader (the newest term's) and its view of every peer: how far each trails and how it is being fed.
  function renderPeers(status) {
    const body = $('peers').tBodies[0];
    body.replaceChildren();
    $('peers').classList.toggle('single-group', !sharded);
    const leaders = new Map();
    for (const r of status.replicas) {
      if (r.role !== 'Leader' || !r.peers) continue;
      const known = leaders.get(r.group);
      if (!known || r.term > known.term) leaders.set(r.group, r);
    }
    for (const leader of [...leaders.values()].sort((a, b) => a.group.localeCompare(b.group))) {
      for (const p of leader.peers) {
        const tr = document.createElement('tr');
        tr.dataset.group = leader.group;
        tr.dataset.peer = p.replica;
        tr.dataset.state = p.state;
        if (p.lag > 0) tr.classList.add('lagging');
        tr.append(cell(leader.group, 'group'), cell(leader.name, 'leader'), cell(p.replica + (p.learner ? ' (learner)' : ''), 'peer'),
          cell(p.state, 'state'), cell(p.matchIndex, 'match'), cell(p.nextIndex, 'next'), cell(p.lag, 'lag'), cell(p.active ? 'yes' : 'no', 'active'));
        body.append(tr);
      }
    }
    if (!body.children.length) {
      const tr = document.createElement('tr');
      const td = cell('no leader: no replication to show', 'none');
      td.colSpan = 8;
      tr.append(td);
      body.append(tr);
    }
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
      const name = encodeURIComponent(r.name);
      const current = status.replicas.filter(x => x.group === r.group && x.role === 'Leader').map(x => x.name)[0];
      const transfer = button('Make leader', 'transfer', () => act('POST', on(`/api/leader/${name}`), undefined, `transfer leadership to ${r.name}`,
        `Hand the leadership of group ${r.group} from ${current || 'its current leader'} to ${r.name}: the leader brings ${r.name} up to date, ` +
        `then ${r.name} campaigns and leads in a new term. Writes pause for at most an election timeout; none is lost.`));
      transfer.disabled = !r.running || r.membership === 'learner' || r.role === 'Leader';
      transfer.title = !r.running ? `${r.name} is stopped` : r.membership === 'learner' ? `${r.name} is a learner`
        : r.role === 'Leader' ? `${r.name} leads already` : `transfer leadership to ${r.name}`;
      actions.append(transfer);
      actions.append(button('Remove', 'remove', () => act('DELETE', on(`/api/members/${name}`), undefined, `remove ${r.name}`,
        `Remove replica ${r.name} (node ${r.node || 'unknown'}) from group ${r.group} through a committed configuration change. ` +
        `It then retires and its stored state is deleted; the name is never used again.`)));
      if (faultInjection) {
        if (isolated.has(r.name)) {
          actions.append(button('Rejoin', 'rejoin', () => act('POST', on(`/api/faults/join/${encodeURIComponent('isolate-' + r.name)}`), undefined, `rejoin ${r.name}`,
            `Heal partition isolate-${r.name}: ${r.name} can talk to the rest of group ${r.group} again.`)));
        } else {
          actions.append(button('Isolate', 'isolate', () => act('POST', on('/api/faults/split'), { name: 'isolate-' + r.name, replicas: [r.name] }, `isolate ${r.name}`,
            `Cut ${r.name} off from the rest of group ${r.group} (partition isolate-${r.name}): its messages to and from the others are lost until it rejoins.`)));
        }
        actions.append(stopped.has(r.name) || !r.running
          ? button('Start', 'start', () => act('POST', on(`/api/replicas/${name}/start`), undefined, `start ${r.name}`,
            `Start replica ${r.name} of group ${r.group} again from its stable storage; it catches up from the leader.`))
          : button('Stop', 'stop', () => act('POST', on(`/api/replicas/${name}/stop`), undefined, `stop ${r.name}`,
            `Crash-stop replica ${r.name} of group ${r.group}: it answers nothing, its timers stop and its volatile state is lost until it is started.` +
            (r.role === 'Leader' ? ' It leads now: the group elects another leader.' : ''))));
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
  function addEvent(text, time, kind, group, id) {
    const at = new Date(time);
    const li = document.createElement('li');
    li.dataset.time = at.getTime();
    if (id !== undefined) li.dataset.id = id;
    if (kind) li.className = kind;
    const t = document.createElement('time');
    t.dateTime = at.toISOString();
    t.textContent = at.toLocaleTimeString();
    li.append(t);
    if (group) {
      const g = document.createElement('span');
      g.className = 'group-name';
      g.textContent = group;
      li.append(g);
    }
    li.append(document.createTextNode(text));
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

  // The timeline as the silo keeps it, so a reload shows it again: on start every event held, then only the new ones.
  let eventsEpoch = null;
  let eventsAfter = 0;
  let eventsBusy = false;
  async function refreshEvents() {
    if (eventsBusy) return;
    eventsBusy = true;
    try {
      let more = true;
      while (more) {
        const r = await api('GET', `/api/events?after=${eventsAfter}`);
        if (!r.ok) return;
        const page = r.content;
        if (eventsEpoch !== null && page.epoch !== eventsEpoch) {
          // The silo restarted: its ids start again, and what it held is gone.
          addEvent('the silo restarted: earlier events are gone', new Date(), 'event-silo');
          eventsEpoch = page.epoch;
          eventsAfter = 0;
          continue;
        }
        eventsEpoch = page.epoch;
        if (page.missed > 0) {
          addEvent(`${page.missed} earlier event${page.missed === 1 ? '' : 's'} no longer held (the silo keeps the latest ${page.capacity})`,
            page.events.length ? page.events[0].time : new Date(), 'event-silo');
        }
        for (const e of page.events) {
          addEvent(e.text, e.time, `event event-${e.kind}${e.failed ? ' failed' : ''}`, sharded ? e.group : null, e.id);
        }
        eventsAfter = page.last;
        more = page.more;
      }
    } catch {
      // The status poll reports connection problems.
    } finally {
      eventsBusy = false;
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
      recordGroupCommits(status);
      renderGroups(status);
      faultInjection = status.faultInjection;
      $('group').textContent = status.group;
      $('leader').textContent = status.leader || (sharded && !chosenGroup ? 'one per group' : 'none');
      $('term').textContent = Math.max(0, ...status.replicas.filter(x => x.running).map(x => x.term));
      $('connection').textContent = 'live';
      $('connection').className = 'ok';
      renderNodes(status);
      renderPeers(status);
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
      renderFsync(m.histograms[FSYNC]);
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

  // The WAL's fsync latency, when this silo's storage reports it.
  function renderFsync(h) {
    const out = $('fsync');
    const f = v => v.toFixed(2);
    if (!h || !h.count || h.p50 == null || h.p99 == null) {
      out.dataset.state = 'none';
      out.textContent = `WAL fsync: no data (this silo reports no ${FSYNC} samples)`;
      return;
    }
    out.dataset.state = 'data';
    out.textContent = `WAL fsync: p50 ${f(h.p50)} ${h.unit || 'ms'}, p99 ${f(h.p99)} ${h.unit || 'ms'} (${h.count} syncs)`;
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
  $('heal').addEventListener('click', () => act('POST', withGroup('/api/faults/heal', chosenGroup), undefined, 'heal',
    `Heal every partition and cut link of group ${chosenGroup || $('group').textContent} and clear message loss and delay (stopped replicas stay stopped).`));
  $('member-add').addEventListener('click', () => {
    const node = $('member-node').value.trim();
    const group = chosenGroup || $('group').textContent;
    // With several groups the API asks which one; it says so in the result line.
    act('POST', withGroup('/api/members', chosenGroup), node ? { node } : undefined, (node ? `add a replica on ${node}` : 'add a replica') + (chosenGroup ? ` to ${chosenGroup}` : ''),
      `Add a new replica to group ${group} on ${node ? 'node ' + node : 'a spare node (one with no replica of the group)'}: ` +
      'it joins as a learner, catches up from the leader, then becomes a voter through a committed configuration change.');
  });
  $('node-drain').addEventListener('click', () => {
    const node = $('member-node').value.trim();
    const out = $('action-result');
    if (!node) {
      out.className = 'result error';
      out.textContent = 'drain: enter the node to drain';
      return;
    }
    // Without a chosen group, every group with a replica on the node, one after another.
    act('POST', withGroup(`/api/nodes/${encodeURIComponent(node)}/drain`, chosenGroup), undefined, `drain ${node}` + (chosenGroup ? ` of ${chosenGroup}` : ''),
      `Move ${chosenGroup ? 'the replica of group ' + chosenGroup : 'every replica'} off node ${node}: for each, a replica is added on a spare node, ` +
      `leadership moves away if ${node} leads, then the replica on ${node} is removed.`);
  });
  $('group-filter').addEventListener('change', e => chooseGroup(e.target.value));

  refresh();
  refreshEvents();
  refreshSteps();
  refreshMetrics();
  setInterval(refresh, STATUS_MS);
  setInterval(refreshEvents, EVENTS_MS);
  setInterval(refreshSteps, STEPS_MS);
  setInterval(refreshMetrics, METRICS_MS);
})();
