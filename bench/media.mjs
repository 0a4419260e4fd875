// Media benchmark: one publisher's VP8 stream (recorded once, replayed identically) fanned out to N
// plain RTP / SRTP receivers, side by side in one run on one Janus binary:
//   - this plugin, the room on one worker; the same room spread over two workers (two routers, piped);
//   - Janus's own VideoRoom: the same stream into a remote publisher, N rtp_forwards to the same receivers
//     (SRTP: a distinct key per forwarder, as Janus encrypts once per distinct key).
// Per point: CPU of the forwarding processes (Janus + workers, /proc utime+stime over a fixed window) per
// delivered packet, loss by sequence number; per mode the largest N with at most 1 % loss. mediasoup
// consumers come lean (no RTCP feedback, no header extensions) and full (the router's capabilities).
// Run through bench/media.sh, which builds the sender, the sink and the stream.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startJanus, attachPeerWs, getJson, janusApi, UNLIMITED_PEERS } from '../tests/integration/harness.mjs';

const top = new URL('..', import.meta.url).pathname;
const tools = `${top}build/bench`;
const SECONDS = Number(process.env.BENCH_SECONDS ?? 6);
const COUNTS = (process.env.BENCH_N ?? '100,400,800,1200,1600,2000').split(',').map(Number);
const SERIES = (process.env.BENCH_SERIES ?? 'plain,srtp').split(',');
const SSRC = 1000;  // what Janus's remote publishers expect for mindex 0 (1000 + 10·mindex)
const PT = 101;
// The plugin's SRTP suite (VideoRoom's rtp_forward only does AES_CM_128_HMAC_SHA1_80/32).
const SUITE = process.env.BENCH_SUITE ?? 'AES_CM_128_HMAC_SHA1_80';
const KEY_BYTES = SUITE === 'AEAD_AES_128_GCM' ? 28 : 30;
const WARMUP_MS = 3000;  // a keyframe (every 2 s in the stream) reaches every receiver
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));
// Interrupted: exit, so that the harness's exit hook stops Janus and its workers.
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// One line-oriented child (the sink, the sender).
function child(command, args) {
  const proc = spawn(command, args, { stdio: ['pipe', 'pipe', 'inherit'] });
  const lines = [];
  let wake = null;
  createInterface({ input: proc.stdout }).on('line', (line) => {
    lines.push(JSON.parse(line));
    wake?.();
  });
  const next = async () => {
    while (!lines.length) await new Promise((r) => { wake = r; });
    return lines.shift();
  };
  return { proc, next, send: (line) => proc.stdin.write(`${line}\n`) };
}

async function startSink(n) {
  const sink = child(`${tools}/rtp_sink`, [String(n)]);
  const { ports } = await sink.next();
  return {
    ports,
    key: (i, keyBase64, suite = SUITE) => sink.send(`key ${i} ${suite} ${keyBase64}`),
    start: () => sink.send('start'),
    report: async () => { sink.send('report'); return sink.next(); },
    quit: () => { sink.send('quit'); return new Promise((r) => sink.proc.once('exit', r)); },
  };
}

function startSender(port) {
  const sender = child(`${tools}/rtp_replay`, [`${tools}/vp8.rtp`, '127.0.0.1', String(port), String(SSRC)]);
  return { stop: async () => { sender.proc.kill('SIGTERM'); return sender.next(); } };
}

// utime + stime of processes, in seconds.
function cpuOf(pids) {
  let ticks = 0;
  for (const pid of pids) {
    try {
      const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
      ticks += Number(fields[11]) + Number(fields[12]);
    } catch { /* gone */ }
  }
  return ticks / 100;
}

async function pool(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

const LEAN = { codecs: [{ kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: PT, parameters: {}, rtcpFeedback: [] }], headerExtensions: [] };

// This plugin: a publisher peer with a comedia plain send transport, `routers` recorder peers (one per worker
// when 2) each holding a share of the N plain recv transports and consumers.
async function setupPlugin(janus, n, sink, { routers, srtp, profile, room }) {
  const publisher = await attachPeerWs(janus);  // WebSocket: thousands of setup requests per point
  const joined = await publisher.request({ request: 'join', room });
  const send = await publisher.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
  await publisher.request({ request: 'connectPlainTransport', transportId: send.id });
  const fb = [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'ccm', parameter: 'fir' }];
  const producer = await publisher.request({
    request: 'produce', transportId: send.id, kind: 'video',
    rtpParameters: { codecs: [{ mimeType: 'video/VP8', payloadType: PT, clockRate: 90000, parameters: {}, rtcpFeedback: fb }], encodings: [{ ssrc: SSRC }], rtcp: { cname: 'bench' } },
  });
  const sender = startSender(send.port);
  const recorders = [];
  for (let r = 0; r < routers; r++) {
    const peer = await attachPeerWs(janus);
    peer.joined = await peer.request({ request: 'join', room });
    recorders.push(peer);
  }
  const workers = new Set([joined.worker, ...recorders.map((p) => p.joined.worker)]);
  if (workers.size !== routers) throw new Error(`expected ${routers} worker(s), got ${[...workers]}`);
  const capabilities = profile === 'full' ? joined.routerRtpCapabilities : LEAN;
  await pool(n, 8, async (i) => {
    const peer = recorders[i % routers];
    const t = await peer.request({ request: 'createPlainTransport', direction: 'recv', ...(srtp ? { enableSrtp: true, srtpCryptoSuite: SUITE } : {}) });
    if (t.error_code) throw new Error(JSON.stringify(t));
    const connect = { request: 'connectPlainTransport', transportId: t.id, ip: '127.0.0.1', port: sink.ports[i] };
    if (srtp) {
      connect.srtpParameters = { cryptoSuite: SUITE, keyBase64: randomBytes(KEY_BYTES).toString('base64') };
      sink.key(i, t.srtpParameters.keyBase64);
    }
    await peer.request(connect);
    const c = await peer.request({ request: 'consume', transportId: t.id, producerId: producer.id, rtpCapabilities: capabilities });
    if (c.error_code) throw new Error(JSON.stringify(c));
    await peer.request({ request: 'resumeConsumer', consumerId: c.id });
  });
  return {
    sender,
    async teardown() {
      for (const p of [publisher, ...recorders]) await p.close();
    },
  };
}

// Janus VideoRoom: a remote publisher fed the same packets, N rtp_forwards to the same receivers.
async function setupVideoRoom(janus, n, sink, { srtp, room }) {
  const session = await janusApi.createSession(janus);
  const handle = await janusApi.attach(janus, session, 'janus.plugin.videoroom');
  const ask = async (body) => {
    const a = await janusApi.message(janus, session, handle, body);
    if (a.error_code || a.janus === 'error') throw new Error(`${body.request}: ${JSON.stringify(a)}`);
    return a;
  };
  await ask({ request: 'create', room, publishers: 1, videocodec: 'vp8', permanent: false });
  const remote = await ask({ request: 'add_remote_publisher', room, id: 7777, display: 'bench', port: 45000 + (room % 500) * 2,
    streams: [{ type: 'video', mindex: 0, mid: '0', codec: 'vp8' }] });
  const sender = startSender(remote.port);
  await pool(n, 8, async (i) => {
    const stream = { mid: '0', port: sink.ports[i], pt: PT, ssrc: 5000 + i };
    const body = { request: 'rtp_forward', room, publisher_id: 7777, host: '127.0.0.1', streams: [stream] };
    if (srtp) {
      const key = randomBytes(30).toString('base64');
      Object.assign(body, { srtp_suite: 80, srtp_crypto: key });
      sink.key(i, key, 'AES_CM_128_HMAC_SHA1_80');
    }
    await ask(body);
  });
  return {
    sender,
    async teardown() {
      await ask({ request: 'destroy', room });
      await janusApi.destroySession(janus, session);
    },
  };
}

async function measure(janus, mode, n, options) {
  const sink = await startSink(n);
  const setup = mode === 'videoroom' ? await setupVideoRoom(janus, n, sink, options) : await setupPlugin(janus, n, sink, options);
  await sleep(WARMUP_MS);
  const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
  const pids = [janus.proc.pid, ...workers.workers.filter((w) => !w.closed).map((w) => w.pid)];
  const cpuBefore = cpuOf(pids);
  sink.start();
  await sleep(SECONDS * 1000);
  const seen = await sink.report();
  const cpu = cpuOf(pids) - cpuBefore;
  const sent = await setup.sender.stop();
  await setup.teardown();
  await sink.quit();
  const expected = seen.expected + seen.silent * (seen.expected / Math.max(1, n - seen.silent));
  return {
    n, delivered: seen.received, perSecond: Math.round(seen.received / SECONDS),
    loss: expected ? Math.max(0, 1 - seen.received / expected) : 1, undecryptable: seen.undecryptable,
    otherPerSecond: Math.round(seen.other / SECONDS),
    usPerPacket: seen.received ? (cpu * 1e6) / seen.received : Infinity, forwarderCores: cpu / SECONDS,
    sinkCores: seen.cpuSeconds / SECONDS, senderCores: sent.cpuSeconds / (SECONDS + WARMUP_MS / 1000 + 1),
  };
}

const pct = (x) => `${(x * 100).toFixed(2)} %`;
let roomSeq = 1000;

async function sweep(janus, label, mode, options, results) {
  for (const n of COUNTS) {
    const r = await measure(janus, mode, n, { ...options, room: mode === 'videoroom' ? roomSeq++ : `bench-${roomSeq++}` });
    results.push({ label, ...r });
    console.log(`${label.padEnd(44)} N=${String(n).padStart(4)}  ${String(r.perSecond).padStart(6)} pkt/s  ` +
      `${r.usPerPacket.toFixed(1).padStart(6)} µs/pkt  loss ${pct(r.loss).padStart(8)}  forwarders ${r.forwarderCores.toFixed(2)} cores  ` +
      `sink ${r.sinkCores.toFixed(2)}  sender ${r.senderCores.toFixed(3)}${r.otherPerSecond ? `  +${r.otherPerSecond} probation pkt/s` : ''}${r.undecryptable ? `  undecryptable ${r.undecryptable}` : ''}`);
    if (r.loss > 0.01) break;
  }
}

const results = [];
const variants = [{ name: '', bin: process.env.MEDIASOUP_WORKER_BIN ?? `${top}build/worker/mediasoup-worker` }];
if (process.env.WORKER_DEBIAN_LIBSRTP) variants.push({ name: ', Debian libsrtp (NSS)', bin: process.env.WORKER_DEBIAN_LIBSRTP });

for (const [v, variant] of variants.entries()) {
  const janus = await startJanus({
    workers: 2, extraPlugins: 'videoroom', sessionTimeout: 300,
    jcfg: `max_peers_per_router = 2\nports_per_worker = 2500\nmedia_codecs = "opus,VP8"\n${UNLIMITED_PEERS}`,
    env: { MEDIASOUP_WORKER_BIN: variant.bin },
  });
  try {
    for (const series of SERIES) {
      const srtp = series === 'srtp';
      if (v > 0) {  // the libsrtp comparison: only what SRTP changes
        if (srtp) await sweep(janus, `mediasoup 1 worker, lean, SRTP${variant.name}`, 'plugin', { routers: 1, srtp, profile: 'lean' }, results);
        continue;
      }
      const tag = srtp ? 'SRTP' : 'RTP';
      await sweep(janus, `mediasoup 1 worker, lean, ${tag}`, 'plugin', { routers: 1, srtp, profile: 'lean' }, results);
      await sweep(janus, `mediasoup 1 worker, full, ${tag}`, 'plugin', { routers: 1, srtp, profile: 'full' }, results);
      await sweep(janus, `mediasoup 2 workers, lean, ${tag}`, 'plugin', { routers: 2, srtp, profile: 'lean' }, results);
      await sweep(janus, `Janus VideoRoom rtp_forward, ${tag}`, 'videoroom', { srtp }, results);
    }
  } finally {
    await janus.stop();
  }
}

console.log(`\n| mode | largest N with ≤ 1 % loss | µs of CPU per delivered packet (at that N) | forwarder cores |`);
console.log('|---|---|---|---|');
for (const label of [...new Set(results.map((r) => r.label))]) {
  const ok = results.filter((r) => r.label === label && r.loss <= 0.01);
  const best = ok[ok.length - 1];
  console.log(best ? `| ${label} | ${best.n} | ${best.usPerPacket.toFixed(1)} | ${best.forwarderCores.toFixed(2)} |` : `| ${label} | < ${COUNTS[0]} | – | – |`);
}
