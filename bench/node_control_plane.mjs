// The same workload on mediasoup's own Node.js control plane (npm mediasoup 3.12.16), driving the same
// worker binary (MEDIASOUP_WORKER_BIN). Usage: node node_control_plane.mjs WORKERS ROOMS CONCURRENCY
import { createRequire } from 'node:module';
import { MEDIA_CODECS, VP8_PARAMETERS, measure } from './workload.mjs';

const require = createRequire(import.meta.url);
const mediasoup = require('mediasoup');
const [workers, rooms, concurrency] = process.argv.slice(2).map(Number);

const pool = [];
for (let i = 0; i < workers; i++) {
  pool.push(await mediasoup.createWorker({ logLevel: 'error', rtcMinPort: 20000 + i * 1000, rtcMaxPort: 20999 + i * 1000 }));
}
let chosen = 0;
const result = await measure(rooms, concurrency, async () => {
  const worker = pool[chosen++ % pool.length];  // round robin: with equal rooms, what the balancer does
  const router = await worker.createRouter({ mediaCodecs: MEDIA_CODECS });
  const options = { listenIps: [{ ip: '127.0.0.1' }], enableUdp: true, enableTcp: true, preferUdp: true };
  const send = await router.createWebRtcTransport(options);
  const recv = await router.createWebRtcTransport(options);
  const producer = await send.produce({ kind: 'video', rtpParameters: structuredClone(VP8_PARAMETERS) });
  await recv.consume({ producerId: producer.id, rtpCapabilities: router.rtpCapabilities, paused: true });
  router.close();
});
for (const worker of pool) worker.close();
console.log(JSON.stringify({ driver: 'mediasoup Node control plane', workers, rooms, concurrency, ...result }));
