// The three control-plane operations an operator's load is made of, each measured on its own at CONCURRENCY
// in flight: room create (a router exists when it answers), WebRTC transport create (on a WebRtcServer, as the
// plugin does by default), room destroy. Drivers:
//   node       — mediasoup's own Node.js control plane against the same worker binary;
//   ws | http  — the whole product through Janus's WebSocket or HTTP API.
// Usage: node ops.mjs node|ws|http WORKERS COUNT CONCURRENCY   → one JSON line per operation
import { createRequire } from 'node:module';
import { MEDIA_CODECS, askOk, measure } from './workload.mjs';

const [driver, ...rest] = process.argv.slice(2);
const [workers, count, concurrency] = rest.map(Number);
const results = {};
const record = (operation, { roomsPerSecond, ...latency }) => { results[operation] = { perSecond: roomsPerSecond, ...latency }; };

if (driver === 'node') {
  const require = createRequire(import.meta.url);
  const mediasoup = require('mediasoup');
  // Router.close() sends worker.closeRouter without waiting for it; a destroy is done when the worker says so,
  // so the bench keeps each closeRouter's promise to wait on it (the plugin answers `destroy` on its own
  // bookkeeping too: this makes Node's figure the stricter one, not the easier one).
  const { Channel } = require('mediasoup/node/lib/Channel');
  const closing = new Map();
  const request = Channel.prototype.request;
  Channel.prototype.request = function (method, handlerId, data) {
    const answered = request.call(this, method, handlerId, data);
    if (method === 'worker.closeRouter') closing.set(data.routerId, answered);
    return answered;
  };
  const pool = [];
  for (let i = 0; i < workers; i++) {
    const port = 20000 + i * 1000;  // the first of this worker's range: its WebRtcServer's
    const worker = await mediasoup.createWorker({ logLevel: 'error', rtcMinPort: port, rtcMaxPort: port + 999 });
    const webRtcServer = await worker.createWebRtcServer({
      listenInfos: [{ protocol: 'udp', ip: '127.0.0.1', port }, { protocol: 'tcp', ip: '127.0.0.1', port }],
    });
    pool.push({ worker, webRtcServer });
  }
  const routers = [];
  let chosen = 0;
  record('room create', await measure(count, concurrency, async (i) => {
    const slot = pool[chosen++ % pool.length];  // round robin: with equal rooms, what the balancer does
    routers[i] = { router: await slot.worker.createRouter({ mediaCodecs: MEDIA_CODECS }), slot };
  }));
  record('transport create', await measure(count, concurrency, async (i, lane) => {
    const { router, slot } = routers[lane];
    await router.createWebRtcTransport({ webRtcServer: slot.webRtcServer, enableUdp: true, enableTcp: true, preferUdp: true });
  }));
  record('room destroy', await measure(count, concurrency, async (i) => {
    const { router } = routers[i];
    router.close();
    await closing.get(router.id);
  }));
  for (const { worker } of pool) worker.close();
} else {
  const { startJanus, attachPeer, attachPeerWs, UNLIMITED_PEERS } = await import('../tests/integration/harness.mjs');
  const janus = await startJanus({ workers, jcfg: `media_codecs = "opus,VP8"\n${UNLIMITED_PEERS}`, fdLimit: 16384 });
  const peers = await Promise.all(Array.from({ length: concurrency }, () => (driver === 'ws' ? attachPeerWs(janus) : attachPeer(janus))));
  record('room create', await measure(count, concurrency, (i, lane) => askOk(peers[lane], { request: 'create', room: `ops-${i}` })));
  await Promise.all(peers.map((peer, lane) => askOk(peer, { request: 'join', room: `ops-${lane}` })));
  record('transport create', await measure(count, concurrency, (i, lane) => askOk(peers[lane], { request: 'createWebRtcTransport', direction: 'send' })));
  record('room destroy', await measure(count, concurrency, (i, lane) => askOk(peers[lane], { request: 'destroy', room: `ops-${i}` })));
  for (const peer of peers) await peer.close();
  await janus.stop();
}

const names = { node: 'mediasoup Node control plane', ws: 'janus-mediasoup via Janus WebSocket API', http: 'janus-mediasoup via Janus HTTP API' };
for (const [operation, result] of Object.entries(results)) {
  console.log(JSON.stringify({ driver: names[driver], operation, workers, count, concurrency, ...result }));
}
