// Where a request's time goes between Janus and the plugin: over Janus's WebSocket API, CONCURRENCY
// sessions in flight, N requests each of (1) a Janus keepalive (Janus only), (2) Janus VideoRoom's `exists`
// (a plugin message answered synchronously on Janus's own thread: the floor for any plugin message),
// (3) this plugin's `exists` (Janus → the plugin's loop thread and back, no worker), (4) its `list` (the
// same, with a larger answer).
// A warm-up round first. Usage: node request_overhead.mjs [N] [CONCURRENCY]
import { startJanus } from '../tests/integration/harness.mjs';
import { openSession } from '../scripts/lib/janus-client.mjs';

const [count = 3000, concurrency = 8] = process.argv.slice(2).map(Number);
const janus = await startJanus({ workers: 1, extraPlugins: 'videoroom' });

async function lane() {
  const session = await openSession(janus.wsUrl);
  const handle = await session.attach('janus.plugin.mediasoup');
  const videoroom = await session.attach('janus.plugin.videoroom');
  return { send: (body) => session.send(body), session, handle: handle.id, videoroom: videoroom.id };
}

const lanes = await Promise.all(Array.from({ length: concurrency }, lane));
async function run(body) {
  const latencies = [];
  const started = performance.now();
  await Promise.all(lanes.map(async (l) => {
    for (let i = 0; i < count / concurrency; i++) {
      const begin = performance.now();
      await l.send(body(l));
      latencies.push(performance.now() - begin);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))].toFixed(2);
  return { perSecond: Math.round(latencies.length / seconds), p50: at(0.5), p99: at(0.99) };
}
const kinds = [
  ['Janus keepalive (Janus only)', () => ({ janus: 'keepalive' })],
  ['VideoRoom `exists` (answered on Janus\'s thread)', (l) => ({ janus: 'message', handle_id: l.videoroom, body: { request: 'exists', room: 1234 } })],
  ['plugin `exists` (loop, no worker)', (l) => ({ janus: 'message', handle_id: l.handle, body: { request: 'exists', room: 'x' } })],
  ['plugin `list` (loop, no worker)', (l) => ({ janus: 'message', handle_id: l.handle, body: { request: 'list' } })],
];
for (const [, body] of kinds) await run(body);  // warm-up
console.log(`\n${count} requests per kind, ${concurrency} in flight over Janus's WebSocket API (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| request | per second | p50 ms | p99 ms |');
console.log('|---|---|---|---|');
for (const [name, body] of kinds) {
  const r = await run(body);
  console.log(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p99} |`);
}
for (const l of lanes) await l.session.destroy();
await janus.stop();
