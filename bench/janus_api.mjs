// The same workload through the whole product: Janus API (HTTP or WebSocket) → janus.plugin.mediasoup →
// workers, with one Janus session per concurrent peer. Usage: node janus_api.mjs http|ws WORKERS ROOMS CONCURRENCY
import { startJanus, attachPeer, attachPeerWs } from '../tests/integration/harness.mjs';
import { VP8_PARAMETERS, askOk, measure } from './workload.mjs';

const transport = process.argv[2];
const [workers, rooms, concurrency] = process.argv.slice(3).map(Number);
const janus = await startJanus({ workers, jcfg: 'media_codecs = "opus,VP8"' });
const peers = await Promise.all(Array.from({ length: concurrency }, () => (transport === 'ws' ? attachPeerWs(janus) : attachPeer(janus))));
const result = await measure(rooms, concurrency, async (i, lane) => {
  const peer = peers[lane];
  const joined = await askOk(peer, { request: 'join', room: `bench-${i}` });
  const send = await askOk(peer, { request: 'createWebRtcTransport', direction: 'send' });
  const recv = await askOk(peer, { request: 'createWebRtcTransport', direction: 'recv' });
  const produced = await askOk(peer, { request: 'produce', transportId: send.id, kind: 'video', rtpParameters: VP8_PARAMETERS });
  await askOk(peer, { request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: joined.routerRtpCapabilities });
  await askOk(peer, { request: 'leave' });
});
for (const peer of peers) await peer.close();
await janus.stop();
const name = transport === 'ws' ? 'janus-mediasoup via Janus WebSocket API' : 'janus-mediasoup via Janus HTTP API';
console.log(JSON.stringify({ driver: name, workers, rooms, concurrency, ...result }));
