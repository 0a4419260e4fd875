// Where a request's time goes between Janus and the plugin: over Janus's WebSocket API, CONCURRENCY
// sessions in flight, N requests each of (1) a Janus keepalive (Janus only), (2) Janus VideoRoom's `exists`
// (a plugin message answered synchronously on Janus's own thread: the floor for any plugin message),
// (3) this plugin's `exists` (Janus → the plugin's loop thread and back, no worker), (4) its `list` (the
// same, with a larger answer).
// A warm-up round first. Usage: node request_overhead.mjs [N] [CONCURRENCY]
import { createRequire } from 'node:module';
import { startJanus } from '../tests/integration/harness.mjs';

const [count = 3000, concurrency = 8] = process.argv.slice(2).map(Number);
const WebSocket = createRequire(new URL('../web/package.json', import.meta.url))('ws');
const janus = await startJanus({ workers: 1, extraPlugins: 'videoroom' });

async function lane() {
  const socket = new WebSocket(janus.wsUrl, 'janus-protocol');
  await new Promise((resolve) => socket.once('open', resolve));
  const pending = new Map();
  let n = 0;
  socket.on('message', (data) => {
    const m = JSON.parse(String(data));
    // A keepalive's answer is an ack; a plugin message's ack precedes its answer.
    if (m.janus === 'ack' && !String(m.transaction).startsWith('k')) return;
    const resolve = pending.get(m.transaction);
    if (resolve) {
      pending.delete(m.transaction);
      resolve(m);
    }
  });
  const send = (body) => new Promise((resolve) => {
    const transaction = `${body.janus === 'keepalive' ? 'k' : 't'}${++n}`;
    pending.set(transaction, resolve);
    socket.send(JSON.stringify({ transaction, ...body }));
  });
  const session = (await send({ janus: 'create' })).data.id;
  const handle = (await send({ janus: 'attach', plugin: 'janus.plugin.mediasoup', session_id: session })).data.id;
  const videoroom = (await send({ janus: 'attach', plugin: 'janus.plugin.videoroom', session_id: session })).data.id;
  return { send, session, handle, videoroom, socket };
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
  ['Janus keepalive (Janus only)', (l) => ({ janus: 'keepalive', session_id: l.session })],
  ['VideoRoom `exists` (answered on Janus\'s thread)', (l) => ({ janus: 'message', session_id: l.session, handle_id: l.videoroom, body: { request: 'exists', room: 1234 } })],
  ['plugin `exists` (loop, no worker)', (l) => ({ janus: 'message', session_id: l.session, handle_id: l.handle, body: { request: 'exists', room: 'x' } })],
  ['plugin `list` (loop, no worker)', (l) => ({ janus: 'message', session_id: l.session, handle_id: l.handle, body: { request: 'list' } })],
];
for (const [, body] of kinds) await run(body);  // warm-up
console.log(`\n${count} requests per kind, ${concurrency} in flight over Janus's WebSocket API (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| request | per second | p50 ms | p99 ms |');
console.log('|---|---|---|---|');
for (const [name, body] of kinds) {
  const r = await run(body);
  console.log(`| ${name} | ${r.perSecond} | ${r.p50} | ${r.p99} |`);
}
for (const l of lanes) l.socket.close();
await janus.stop();
