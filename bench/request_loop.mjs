// A steady request load for profiling (bench/profile.sh): CONCURRENCY WebSocket clients repeat one kind of
// request for SECONDS against a Janus with one worker. Kinds: exists (no worker), room (create + destroy),
// transport (createWebRtcTransport + closeTransport in a joined room). Prints "ready PID" once loaded, then
// the rate. Usage: node request_loop.mjs KIND SECONDS [CONCURRENCY]
import { startJanus, attachPeerWs } from '../tests/integration/harness.mjs';

const [kind, seconds, concurrency = 8] = [process.argv[2], Number(process.argv[3]), Number(process.argv[4] ?? 8)];
const janus = await startJanus({ workers: 1, jcfg: 'media_codecs = "opus,VP8"', fdLimit: 16384 });
const peers = await Promise.all(Array.from({ length: concurrency }, () => attachPeerWs(janus)));
if (kind === 'transport') await Promise.all(peers.map((peer, i) => peer.request({ request: 'join', room: `loop-${i}` })));
console.log('ready', janus.proc.pid);
const rounds = {
  exists: async (peer) => { await peer.request({ request: 'exists', room: 'nowhere' }); return 1; },
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
const end = Date.now() + seconds * 1000;
let requests = 0;
let counter = 0;
await Promise.all(peers.map(async (peer) => {
  while (Date.now() < end) requests += await rounds(peer, counter++);
}));
console.log(`${kind}: ${Math.round(requests / seconds)} requests/s`);
for (const peer of peers) await peer.close();
await janus.stop();
