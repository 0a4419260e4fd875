// Soak: ROOMS rooms on WORKERS workers, two peers each (one publishing Opus, one consuming it), churned for
// MINUTES: a peer leaves and detaches, a new one attaches, joins, sets up its media. Every minute it prints
// the resident memory, open fds and threads of Janus and of the workers, so growth (a leak) shows.
// Janus runs with its defaults (a loop thread per handle) and a raised fd limit, as a production Janus would.
// Usage: node soak.mjs [MINUTES] [ROOMS] [WORKERS] [CONCURRENCY]
import { readFileSync, readdirSync } from 'node:fs';
import { startJanus, getJson, janusApi, liveWorkers } from '../tests/integration/harness.mjs';
import { openSession } from '../scripts/lib/janus-client.mjs';

const [minutes = 10, rooms = 500, workers = 4, concurrency = 8] = process.argv.slice(2).map(Number);
const pageSize = 4096;

function procInfo(pid) {
  const statm = readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ');
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return {
    rssMiB: (Number(statm[1]) * pageSize) / 2 ** 20,
    fds: readdirSync(`/proc/${pid}/fd`).length,
    threads: Number(/Threads:\s+(\d+)/.exec(status)[1]),
  };
}

const opus = (ssrc) => ({
  mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'soak', reducedSize: true },
});

const janus = await startJanus({ workers, eventLoops: 0, fdLimit: 16384, sessionTimeout: 120 });
// Events are drained as a client's long-poll would: Janus keeps undelivered events queued in the session.
let eventsDrained = 0;
const janusSession = await openSession(janus.janusUrl, { onMessage: (m) => { if (m.janus === 'event') eventsDrained++; } });
const session = janusSession.id;
janusSession.keepAlive(20000);
const ask = async (handle, body) => {
  const answer = await janusApi.message(janus, session, handle, body);
  if (answer.error_code) throw new Error(`${body.request}: ${answer.error}`);
  return answer;
};

// A room's publisher stays; its subscriber is the peer that churns.
async function publisher(room) {
  const handle = await janusApi.attach(janus, session);
  const joined = await ask(handle, { request: 'join', room });
  const send = await ask(handle, { request: 'createWebRtcTransport', direction: 'send' });
  const produced = await ask(handle, { request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: opus(1000 + Math.floor(Math.random() * 1e9)) });
  return { handle, producerId: produced.id, caps: joined.routerRtpCapabilities };
}
async function subscriber(room, pub) {
  const handle = await janusApi.attach(janus, session);
  await ask(handle, { request: 'join', room });
  const recv = await ask(handle, { request: 'createWebRtcTransport', direction: 'recv' });
  await ask(handle, { request: 'consume', transportId: recv.id, producerId: pub.producerId, rtpCapabilities: pub.caps });
  return handle;
}

const roomState = [];
for (let i = 0; i < rooms; i += concurrency) {
  await Promise.all(Array.from({ length: Math.min(concurrency, rooms - i) }, async (_, k) => {
    const room = `soak-${i + k}`;
    const pub = await publisher(room);
    roomState[i + k] = { room, pub, sub: await subscriber(room, pub) };
  }));
}

const sample = async (label, churned) => {
  const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
  const w = liveWorkers(janus.proc.pid).map((p) => procInfo(p.pid));
  const j = procInfo(janus.proc.pid);
  const sum = (key) => w.reduce((n, x) => n + x[key], 0);
  console.log(`| ${label} | ${churned} | ${stats.totalRooms} | ${j.rssMiB.toFixed(1)} | ${j.fds} | ${j.threads} | ${sum('rssMiB').toFixed(1)} | ${sum('fds')} |`);
};

console.log(`${rooms} rooms × 2 peers on ${workers} workers, ${concurrency} churn lanes, ${minutes} min (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| minute | peers churned | rooms | Janus RSS MiB | Janus fds | Janus threads | workers RSS MiB (sum) | workers fds (sum) |');
console.log('|---|---|---|---|---|---|---|---|');
let churned = 0;
await sample(0, churned);
const started = Date.now();
const end = started + minutes * 60000;
let nextSample = started + 60000;
let minute = 1;
const sampler = setInterval(async () => {
  if (Date.now() >= nextSample && minute <= minutes) {
    nextSample += 60000;
    await sample(minute++, churned);
  }
}, 1000);
await Promise.all(Array.from({ length: concurrency }, async (_, lane) => {
  for (let i = lane; Date.now() < end; i += concurrency) {
    const state = roomState[i % rooms];
    if (state.busy) continue;
    state.busy = true;
    await ask(state.sub, { request: 'leave' });
    await janusApi.detach(janus, session, state.sub);
    state.sub = await subscriber(state.room, state.pub);
    state.busy = false;
    churned++;
  }
}));
await new Promise((r) => setTimeout(r, 1500));
clearInterval(sampler);
if (minute <= minutes) await sample(minute, churned);
console.log(`\n${(churned / ((Date.now() - started) / 1000)).toFixed(0)} peers churned per second on average; ${eventsDrained} events delivered`);
janusSession.vanish();
await janus.stop();
