// Live view of the worker pool from /stats and /workers (same origin as this page), sampled every second.
const HISTORY = 120;  // samples kept (two minutes)
const COLORS = ['#3fb68b', '#4a90e2', '#e0a33a', '#d0568c', '#9b7ede', '#5cc8d8', '#c8c85c', '#e06a4a'];
const history = [];   // [{ time, workers: [{ cpuUsage, roomCount, closed }] }]
const $ = (id) => document.getElementById(id);

function drawChart(canvas, legend, series, { max, format }) {
  const ctx = canvas.getContext('2d');
  const { width, height } = canvas;
  const pad = { left: 56, right: 12, top: 12, bottom: 28 };
  ctx.clearRect(0, 0, width, height);
  ctx.font = '20px system-ui';
  ctx.fillStyle = '#8fa1b3';
  ctx.strokeStyle = '#2a3643';
  ctx.lineWidth = 1;
  for (let i = 0; i <= 4; i++) {
    const y = pad.top + ((height - pad.top - pad.bottom) * i) / 4;
    ctx.beginPath();
    ctx.moveTo(pad.left, y);
    ctx.lineTo(width - pad.right, y);
    ctx.stroke();
    ctx.fillText(format(max * (1 - i / 4)), 4, y + 6);
  }
  ctx.fillText(`last ${HISTORY} s`, width - 150, height - 4);
  const x = (i) => pad.left + ((width - pad.left - pad.right) * i) / (HISTORY - 1);
  const y = (v) => pad.top + (height - pad.top - pad.bottom) * (1 - Math.min(v, max) / max);
  series.forEach((values, w) => {
    ctx.strokeStyle = COLORS[w % COLORS.length];
    ctx.lineWidth = 3;
    ctx.beginPath();
    const offset = HISTORY - values.length;
    values.forEach((v, i) => (i === 0 ? ctx.moveTo(x(offset + i), y(v)) : ctx.lineTo(x(offset + i), y(v))));
    ctx.stroke();
  });
  legend.innerHTML = series.map((_, w) => `<span><i style="background:${COLORS[w % COLORS.length]}"></i>worker ${w}</span>`).join('');
}

function formatBytes(n) {
  return n > 1 << 20 ? `${(n / (1 << 20)).toFixed(1)} MiB` : `${Math.round(n / 1024)} KiB`;
}

function render(stats, workers) {
  const live = stats.workers.filter((w) => !w.closed).length;
  $('summary').textContent = `${stats.workers.length} workers (${live} live), ${stats.totalRooms} room${stats.totalRooms === 1 ? '' : 's'} — updated ${new Date().toLocaleTimeString()}`;
  const n = stats.workers.length;
  const cpu = [...Array(n)].map((_, w) => history.map((h) => (h.workers[w]?.cpuUsage ?? 0) * 100));
  const rooms = [...Array(n)].map((_, w) => history.map((h) => h.workers[w]?.roomCount ?? 0));
  // Axis maxima that divide into 4 round ticks.
  const maxCpu = Math.max(20, Math.ceil(Math.max(...cpu.flat()) / 20) * 20);
  const maxRooms = Math.max(4, Math.ceil(Math.max(...rooms.flat()) / 4) * 4);
  drawChart($('cpu-chart'), $('cpu-legend'), cpu, { max: maxCpu, format: (v) => `${v.toFixed(0)}%` });
  drawChart($('rooms-chart'), $('rooms-legend'), rooms, { max: maxRooms, format: (v) => v.toFixed(0) });

  $('workers').tBodies[0].innerHTML = workers.workers.map((w) => `<tr>
    <td>${w.workerId}</td><td>${w.pid ?? '—'}</td><td class="${w.closed ? 'closed' : ''}">${w.closed ? 'closed' : 'running'}</td>
    <td>${(w.cpuUsage * 100).toFixed(1)}%</td><td>${w.roomCount}</td><td>${w.rtcMinPort}–${w.rtcMaxPort}</td>
    <td>${w.restarts}</td><td>${formatBytes(w.rssBytes)}</td><td>${Math.round(w.uptimeMs / 1000)} s</td></tr>`).join('');
  const escape = (s) => s.replace(/[&<>"]/g, (c) => `&#${c.charCodeAt(0)};`);
  $('distribution').tBodies[0].innerHTML = Object.entries(stats.distribution)
    .map(([w, list]) => `<tr><td>${w}</td><td>${list.length ? list.map(escape).join(', ') : '—'}</td></tr>`).join('');
  // The cluster's hosts (only with cluster_redis): this one marked, and those draining (Admin drainHost).
  $('hosts-panel').hidden = !stats.hosts;
  if (stats.hosts) {
    $('hosts').tBodies[0].innerHTML = stats.hosts.map((h) => `<tr class="${h.self ? 'self' : ''}">
      <td>${escape(h.hostId)}${h.self ? ' (this host)' : ''}${h.draining ? ' · draining' : ''}</td><td>${h.epoch}</td><td>${h.rooms}</td><td>${h.peers}</td>
      <td>${h.workers}</td><td>${(h.cpuUsage * 100).toFixed(1)}%</td><td>${h.leaseMs} ms</td></tr>`).join('');
  }
  // Each peer, how it negotiates (SDP: janus.js with a plain RTCPeerConnection, aiortc, GStreamer, WHIP; or
  // mediasoup-client), and the room's active speaker.
  $('peers').tBodies[0].innerHTML = (stats.rooms ?? []).flatMap((room) => room.peers.map((p) => `<tr class="${p.peerId === room.activeSpeaker ? 'speaking' : ''}">
    <td>${escape(room.room)}</td><td>${escape(p.display || '—')}</td><td>${p.worker ?? '—'}</td>
    <td class="client ${p.sdp ? 'sdp' : ''}">${p.sdp ? 'SDP' : 'mediasoup-client'}</td>
    <td>${p.peerId === room.activeSpeaker ? 'speaking' : ''}</td></tr>`)).join('') || '<tr><td colspan="5">—</td></tr>';
}

async function tick() {
  try {
    const [stats, workers] = await Promise.all([fetch('stats').then((r) => r.json()), fetch('workers').then((r) => r.json())]);
    history.push({ time: Date.now(), workers: stats.workers });
    if (history.length > HISTORY) history.shift();
    render(stats, workers);
  } catch (error) {
    $('summary').textContent = `Cannot read /stats: ${error.message}`;
  }
}

tick();
setInterval(tick, 1000);
