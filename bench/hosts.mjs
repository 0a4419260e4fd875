// What spanning hosts costs, with real Janus hosts on one Redis and real workers, plain RTP in and out (no
// browsers: their CPU would drown the workers'). Three measures, each side by side in one run:
//  1. worker CPU per piped stream and per delivered packet: STREAMS Opus-sized streams at 500 packets/s, each
//     to RECEIVERS plain receivers, with publishers and receivers on one host vs on two (every stream crosses
//     once);
//  2. the time from a `produce` on one host to the first packet at a peer of another host that consumes it
//     on `newProducer` (pipe set-up included: a new room each time, without audio observers, which would
//     pipe it in before the consume), vs both peers on one host;
//  3. rooms created per second (create + destroy over the Janus HTTP API, 8 in flight) by a host alone vs
//     a host of a cluster (each create claims the room in Redis, each destroy releases it).
// Run inside a loopback-only network namespace (hosts.sh). Usage: [PARTS=cpu,first,rate] node hosts.mjs [STREAMS] [RECEIVERS] [SECONDS] [JOINS] [ROOMS]
import { readFileSync } from 'node:fs';
import { startJanus, attachPeer, liveWorkers, waitFor, getJson } from '../tests/integration/harness.mjs';
import { startRedis } from '../tests/integration/redis.mjs';
import { rtpPeer } from '../tests/integration/rtp_peer.mjs';
import { askOk, measure } from './workload.mjs';

const [streams = 4, receivers = 2, seconds = 15, joins = 40, rooms = 400] = process.argv.slice(2).map(Number);
const ticksPerSecond = 100;  // USER_HZ on Linux
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);  // utime + stime
};
const OPUS = { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }] };
const RECEIVER = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
};
// The harness's waitEvent looks every 50 ms, too coarse to time by: this looks every millisecond.
async function eventOf(peer, predicate, timeoutMs = 10000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = peer.events.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error('no such event');
    await new Promise((r) => setTimeout(r, 1));
  }
}
const quantile = (sorted, q) => sorted[Math.min(sorted.length - 1, Math.floor(q * sorted.length))];

async function cluster(count, { lease = 6000 } = {}) {
  const redis = await startRedis();
  const hosts = [];
  for (let i = 0; i < count; i++) {
    hosts.push(await startJanus({
      workers: 1,
      jcfg: [`cluster_redis = "${redis.url}"`, `host_id = "host-${i}"`, `cluster_pipe_ip = "127.0.0.${11 + i}"`, `cluster_lease_ms = ${lease}`,
        `rtc_port_base = ${40000 + i * 2000}`, 'ports_per_worker = 1000'].join('\n'),
    }));
  }
  for (const janus of hosts) {
    await waitFor(async () => ((await getJson(`${janus.statsUrl}/stats`)).body.hosts ?? []).length === count, { timeoutMs: 10000, what: 'hosts registered' });
  }
  return { hosts, stop: async () => { for (const janus of hosts) await janus.stop(); await redis.kill(); } };
}

// A plain-RTP publisher: joined, a comedia transport, an Opus producer, a sender at `intervalMs`.
async function publish(janus, room, ssrc, { count, intervalMs }) {
  const peer = await attachPeer(janus);
  await askOk(peer, { request: 'join', room });
  const send = await askOk(peer, { request: 'createPlainTransport', direction: 'send', comedia: true });
  const sender = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', String(ssrc), '--pt', '100', '--count', String(count),
    '--interval-ms', String(intervalMs)]);
  sender.result.catch(() => {});
  await sender.port;
  const produced = await askOk(peer, { request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: { ...OPUS, encodings: [{ ssrc }] } });
  return { peer, producerId: produced.id, sender };
}

// A plain receiver of the producer on that peer's host; resolves with its report after `timeoutS`.
async function receive(peer, producerId, { timeoutS, count = 1000000 }) {
  const recv = await askOk(peer, { request: 'createPlainTransport', direction: 'recv' });
  const receiver = rtpPeer(['recv', '--count', String(count), '--timeout', String(timeoutS)]);
  await askOk(peer, { request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: await receiver.port });
  const consumer = await askOk(peer, { request: 'consume', transportId: recv.id, producerId, rtpCapabilities: RECEIVER });
  await askOk(peer, { request: 'resumeConsumer', consumerId: consumer.id });
  return receiver.result;
}

// 1. CPU per piped stream.
async function cpuRow(hostCount) {
  const { hosts, stop } = await cluster(2);
  try {
    const [a, b] = hosts;
    const pubHost = a, subHost = hostCount === 1 ? a : b;
    const publishers = [];
    const results = [];
    const listeners = [];
    for (let s = 0; s < streams; s++) {
      const room = `cpu-${hostCount}-${s}`;
      const pub = await publish(pubHost, room, 7000 + s, { count: Math.ceil((seconds + 10) * 500), intervalMs: 2 });
      publishers.push(pub);
      for (let r = 0; r < receivers; r++) {
        const peer = await attachPeer(subHost);
        await askOk(peer, { request: 'join', room });
        listeners.push(peer);
        results.push(receive(peer, pub.producerId, { timeoutS: seconds + 3 }));
      }
    }
    await new Promise((r) => setTimeout(r, 1500));  // flowing everywhere
    const pids = hosts.flatMap((janus) => liveWorkers(janus.proc.pid).map((p) => p.pid));
    const ticks0 = pids.reduce((n, pid) => n + cpuTicks(pid), 0);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ticks1 = pids.reduce((n, pid) => n + cpuTicks(pid), 0);
    const window = (Date.now() - t0) / 1000;
    const reports = await Promise.all(results);
    // The senders' rate is steady: each receiver's packets over its own span, summed, times the window.
    const packetsPerSecond = reports.reduce((n, r) => n + (r.rtp > 1 ? (r.rtp - 1) / ((r.lastAtMs - r.firstAtMs) / 1000) : 0), 0);
    const packets = packetsPerSecond * window;
    const pipes = Number((await (await fetch(`${subHost.statsUrl}/metrics`)).text()).match(/^janus_mediasoup_cluster_pipes (\d+)$/m)[1]);
    for (const p of publishers) p.sender.kill();
    for (const peer of [...listeners, ...publishers.map((p) => p.peer)]) await peer.close();
    const cpuSeconds = (ticks1 - ticks0) / ticksPerSecond;
    return { hostCount, pipes, cpuPercent: (cpuSeconds / window) * 100, packetsPerSecond, perPacketUs: (cpuSeconds * 1e6) / Math.max(1, packets) };
  } finally {
    await stop();
  }
}

// 2. From produce on one host to the first packet at a peer that consumes it on newProducer.
async function firstPacket(hostCount) {
  const { hosts, stop } = await cluster(2);
  const waits = [];
  try {
    const [a, b] = hosts;
    for (let i = 0; i < joins; i++) {
      const room = `first-${hostCount}-${i}`;
      const listener = await attachPeer(hostCount === 1 ? a : b);
      // The room is made on the publisher's host, so that the listener's host is a member that pipes it in.
      const pubPeer = await attachPeer(a);
      // No audio observers: they would pipe the producer in as soon as it is announced, before the consume.
      await askOk(pubPeer, { request: 'create', room, audioLevels: false, activeSpeaker: false });
      await askOk(pubPeer, { request: 'join', room });
      await askOk(listener, { request: 'join', room });
      const recv = await askOk(listener, { request: 'createPlainTransport', direction: 'recv' });
      const receiver = rtpPeer(['recv', '--count', '1', '--timeout', '10']);
      await askOk(listener, { request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: await receiver.port });
      const send = await askOk(pubPeer, { request: 'createPlainTransport', direction: 'send', comedia: true });
      const sender = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', '4242', '--pt', '100', '--count', '5000', '--interval-ms', '2']);
      sender.result.catch(() => {});
      await sender.port;
      const sentAt = Date.now();
      const produced = askOk(pubPeer, { request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: { ...OPUS, encodings: [{ ssrc: 4242 }] } });
      const announced = await eventOf(listener, (e) => e.event === 'newProducer');
      await produced;
      const consumer = await askOk(listener, { request: 'consume', transportId: recv.id, producerId: announced.producerId, rtpCapabilities: RECEIVER });
      await askOk(listener, { request: 'resumeConsumer', consumerId: consumer.id });
      const seen = await receiver.result;
      if (seen.firstAtMs) waits.push(seen.firstAtMs - sentAt);
      sender.kill();
      await listener.close();
      await pubPeer.close();
    }
  } finally {
    await stop();
  }
  waits.sort((x, y) => x - y);
  return { hostCount, count: waits.length, p50: quantile(waits, 0.5), p99: quantile(waits, 0.99) };
}

// 3. Rooms created per second, alone vs in a cluster.
async function roomRate(clustered) {
  let janus, stop;
  if (clustered) ({ hosts: [janus], stop } = await cluster(1));
  else {
    janus = await startJanus({ workers: 1 });
    stop = () => janus.stop();
  }
  try {
    const peers = await Promise.all(Array.from({ length: 8 }, () => attachPeer(janus)));
    const result = await measure(rooms, 8, async (i, lane) => {
      await askOk(peers[lane], { request: 'create', room: `rate-${i}` });
      await askOk(peers[lane], { request: 'destroy', room: `rate-${i}` });
    });
    for (const peer of peers) await peer.close();
    return { clustered, ...result };
  } finally {
    await stop();
  }
}

// PARTS (cpu,first,rate; all by default) picks what runs.
const parts = (process.env.PARTS ?? 'cpu,first,rate').split(',');
const cpu = parts.includes('cpu') ? [await cpuRow(1), await cpuRow(2)] : [];
const first = parts.includes('first') ? [await firstPacket(1), await firstPacket(2)] : [];
const rate = parts.includes('rate') ? [await roomRate(false), await roomRate(true)] : [];
console.log(`\n${new Date().toISOString().slice(0, 10)}`);
if (cpu.length) {
  console.log(`\n${streams} streams × ${receivers} receivers, 500 packets/s each, ${seconds} s window\n`);
  console.log('| publishers and receivers | pipe transports on the receivers\u2019 host | packets/s delivered | workers CPU % (sum, all hosts) | worker µs per delivered packet |');
  console.log('|---|---|---|---|---|');
  for (const r of cpu) {
    console.log(`| ${r.hostCount === 1 ? 'one host' : 'two hosts'} | ${r.pipes} | ${Math.round(r.packetsPerSecond)} | ${r.cpuPercent.toFixed(1)} | ${r.perPacketUs.toFixed(1)} |`);
  }
  const extra = ((cpu[1].cpuPercent - cpu[0].cpuPercent) / streams).toFixed(2);
  console.log(`\nCrossing hosts costs the workers ${extra} % of a core per piped stream (at 500 packets/s).`);
}
if (first.length) {
  console.log(`\n| produce → first packet at a consuming peer (${joins} rooms, one at a time) | p50 ms | p99 ms |`);
  console.log('|---|---|---|');
  for (const r of first) console.log(`| ${r.hostCount === 1 ? 'same host' : 'another host (pipe made on the way)'} | ${r.p50.toFixed(1)} | ${r.p99.toFixed(1)} |`);
}
if (rate.length) {
  console.log(`\n| create + destroy over HTTP, 8 in flight (${rooms} rooms) | rooms/s | p50 ms | p99 ms |`);
  console.log('|---|---|---|---|');
  for (const r of rate) console.log(`| ${r.clustered ? 'a host of a cluster (claims in Redis)' : 'a host alone'} | ${r.roomsPerSecond} | ${r.p50Ms} | ${r.p99Ms} |`);
}
