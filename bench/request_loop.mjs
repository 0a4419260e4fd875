// A steady request load for profiling (bench/profile.sh): CONCURRENCY WebSocket clients repeat one kind of
// request for SECONDS against a Janus with one worker. Kinds: exists (no worker), videoroom (Janus VideoRoom's
// `exists`, answered on Janus's own thread: the floor for a plugin message), room (create + destroy),
// transport (createWebRtcTransport + closeTransport in a joined room). Prints "ready PID" once loaded, then
// the rate and the CPU each thread group spent per request (from /proc: Janus's threads by name, the worker,
// this client). Usage: node request_loop.mjs KIND SECONDS [CONCURRENCY]
import { readdirSync, readFileSync } from 'node:fs';
import { startJanus, attachPeerWs, getJson } from '../tests/integration/harness.mjs';

// CPU seconds (user + system) per thread name of a process, from /proc/PID/task/*/stat.
const ticksPerSecond = 100;
function cpuByThread(pid, label) {
  const byName = new Map();
  for (const tid of readdirSync(`/proc/${pid}/task`)) {
    let stat;
    try { stat = readFileSync(`/proc/${pid}/task/${tid}/stat`, 'utf8'); } catch { continue; }
    const name = label ?? stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    byName.set(name, (byName.get(name) ?? 0) + (Number(fields[11]) + Number(fields[12])) / ticksPerSecond);
  }
  return byName;
}

const [kind, seconds, concurrency = 8] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 8)];
const janus = await startJanus({ workers: 1, jcfg: 'media_codecs = "opus,VP8"', fdLimit: 16384, extraPlugins: kind === 'videoroom' ? 'videoroom' : '' });
const plugin = kind === 'videoroom' ? 'janus.plugin.videoroom' : undefined;
const peers = await Promise.all(Array.from({ length: concurrency }, () => attachPeerWs(janus, plugin)));
if (kind === 'transport') await Promise.all(peers.map((peer, i) => peer.request({ request: 'join', room: `loop-${i}` })));
console.log('ready', janus.proc.pid);
const rounds = {
  exists: async (peer) => { await peer.request({ request: 'exists', room: 'nowhere' }); return 1; },
  videoroom: async (peer) => { await peer.request({ request: 'exists', room: 1234 }); return 1; },
  room: async (peer, n) => {
    await peer.request({ request: 'create', room: `room-${n}` });
    await peer.request({ request: 'destroy', room: `room-${n}` });
    return 2;
  },
  transport: async (peer) => {
    const transport = await peer.request({ request: 'createWebRtcTransport', direction: 'send' });
    await peer.request({ request: 'closeTransport', transportId: transport.id });
    return 2;
  },
}[kind];
if (!rounds) throw new Error(`unknown kind ${kind}`);
const workerPid = (await getJson(`${janus.statsUrl}/stats`)).body.workers[0].pid;
const sample = () => new Map([...cpuByThread(janus.proc.pid), ...cpuByThread(workerPid, 'mediasoup worker'), ...cpuByThread(process.pid, 'client (Node)')]);
const before = sample();
const end = Date.now() + seconds * 1000;
let requests = 0;
let counter = 0;
await Promise.all(peers.map(async (peer) => {
  while (Date.now() < end) {
    const done = await rounds(peer, counter++);  // not `requests += await …`: that adds to a stale value
    requests += done;
  }
}));
const after = sample();
console.log(`${kind}: ${Math.round(requests / seconds)} requests/s`);
const perRequest = [...after].map(([name, cpu]) => [name, ((cpu - (before.get(name) ?? 0)) / requests) * 1e6]).filter(([, us]) => us >= 0.5)
  .sort((a, b) => b[1] - a[1]);
for (const [name, us] of perRequest) console.log(`  ${name.padEnd(18)} ${us.toFixed(1)} µs CPU per request`);
const janusThreads = (samples) => [...samples].filter(([name]) => name !== 'mediasoup worker' && name !== 'client (Node)').reduce((sum, [, cpu]) => sum + cpu, 0);
console.log(`  ${'Janus process'.padEnd(18)} ${(((janusThreads(after) - janusThreads(before)) / requests) * 1e6).toFixed(1)} µs CPU per request (all its threads)`);
for (const peer of peers) await peer.close();
await janus.stop();
