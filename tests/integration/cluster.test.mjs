// Several hosts on one Redis: each Janus registers with a lease and sees the others in /stats and /metrics; one
// room name is one room, guarded by its pin and secret on every host; a producer crosses each host link once;
// who is talking is heard on every host; a drained host sends peers elsewhere. Failures, each followed by a
// check that the survivors hold nothing of it: a subscriber connection killed while a producer is announced,
// Redis unreachable for 20 s with media between hosts going on, a host frozen past its lease (fenced,
// registered again), Redis restarted empty, a member host and then a home host killed, a host whose codecs
// differ refused, a clean stop. Real redis-server, real Janus processes, each with its own ports, worker port
// range and pipe address (127.0.0.11, .12, .13, .14).
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { readdirSync, readlinkSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, waitFor, attachPeer, admin, liveWorkers } from './harness.mjs';
import { startRedis, redisCommand } from './redis.mjs';
import { rtpPeer } from './rtp_peer.mjs';
import { publisher } from './tones.mjs';

// What a plain receiver takes: Opus without RTCP feedback.
const RECEIVER = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
};

const LEASE_MS = 2000;

function startHost(redis, name, index, extra = []) {
  return startJanus({
    workers: 1,
    jcfg: [`cluster_redis = "${redis.url}"`, `host_id = "${name}"`, `cluster_pipe_ip = "127.0.0.${11 + index}"`,
      `cluster_lease_ms = ${LEASE_MS}`, `rtc_port_base = ${40000 + index * 2000}`, 'ports_per_worker = 1000', ...extra].join('\n'),
  });
}

// What a host holds: fds other than sockets (worker pipes, files, loop handles) and its connections to Redis.
// Sockets to Janus's own HTTP transport come and go with the test's clients, so they are not counted.
function heldBy(janus, redisPort) {
  const fds = readdirSync(`/proc/${janus.proc.pid}/fd`).map((fd) => {
    try { return readlinkSync(`/proc/${janus.proc.pid}/fd/${fd}`); } catch { return ''; }
  });
  const redis = execFileSync('ss', ['-tnpH', 'state', 'established', 'dport', `= :${redisPort}`], { encoding: 'utf8' })
    .split('\n').filter((line) => line.includes(`pid=${janus.proc.pid},`)).length;
  return { other: fds.filter((target) => target && !target.startsWith('socket:')).length, redis };
}

const NAMES = ['host-a', 'host-b', 'host-c'];
const eventCount = async (janus, event) =>
  Number((await (await fetch(`${janus.statsUrl}/metrics`)).text()).match(new RegExp(`janus_mediasoup_events_total\\{event="${event}"\\} (\\d+)`))?.[1] ?? 0);
const pipesOf = async (janus) => Number((await (await fetch(`${janus.statsUrl}/metrics`)).text()).match(/^janus_mediasoup_cluster_pipes (\d+)$/m)[1]);
// After a failure, once its test's peers are gone: the host holds no transport, pipe or peer.
async function holdsNothing(janus, what) {
  const gauges = ['janus_mediasoup_transports', 'janus_mediasoup_cluster_pipes', 'janus_mediasoup_peers'];
  let metrics = '';
  await waitFor(async () => {
    metrics = await (await fetch(`${janus.statsUrl}/metrics`)).text();
    return gauges.every((gauge) => new RegExp(`^${gauge} 0$`, 'm').test(metrics));
  }, { timeoutMs: 5000, what }).catch((e) => {
    const held = gauges.map((gauge) => metrics.match(new RegExp(`^${gauge} \\d+$`, 'm'))?.[0]).join(', ');
    throw new Error(`${e.message}: ${janus.hostName ?? ''} ${held}`);
  });
}
// Every host registered (its own entry read back) and every host seeing each other's current epoch: after Redis
// restarted empty, the entries kept meanwhile carry the old ones.
async function registeredAgain(hosts) {
  const views = await Promise.all(hosts.map(hostsOf));
  const epochOf = Object.fromEntries(views.map((view) => view.find((h) => h.self)).filter(Boolean).map((h) => [h.hostId, h.epoch]));
  return views.every((view) => view.length === hosts.length && view.every((h) => epochOf[h.hostId] === h.epoch));
}
const hostsOf = async (janus) => (await getJson(`${janus.statsUrl}/stats`)).body.hosts ?? [];
const hostIds = async (janus) => (await hostsOf(janus)).map((h) => h.hostId).sort();
// One request on a fresh handle of that host.
async function ask(janus, body) {
  const peer = await attachPeer(janus);
  try {
    return await peer.request(body);
  } finally {
    await peer.close();
  }
}

describe('hosts of a cluster on Redis', () => {
  let redis;
  let fdsAtStart;
  const hosts = [];
  before(async () => {
    redis = await startRedis();
    for (const [i, name] of ['host-a', 'host-b', 'host-c'].entries()) hosts.push(Object.assign(await startHost(redis, name, i), { hostName: name }));
  });
  after(async () => {
    for (const janus of hosts) await janus.stop('SIGKILL').catch(() => {});
    await redis?.kill();
  });

  it('every host sees every host, in /stats, /workers and /metrics', async () => {
    for (const janus of hosts) {
      await waitFor(async () => (await hostIds(janus)).join() === 'host-a,host-b,host-c', { timeoutMs: 5000, what: 'three hosts' });
    }
    const [a] = hosts;
    fdsAtStart = heldBy(a, redis.port);  // its Redis connections are up: it sees the others
    const listed = await hostsOf(a);
    const self = listed.find((h) => h.self);
    assert.equal(self.hostId, 'host-a');
    for (const h of listed) {
      assert.ok(h.epoch > 0 && h.leaseMs > 0 && h.leaseMs <= LEASE_MS, JSON.stringify(h));
      assert.equal(h.workers, 1, 'each host publishes its live workers');
    }
    assert.equal((await getJson(`${a.statsUrl}/workers`)).body.hosts.length, 3);
    const metrics = await (await fetch(`${a.statsUrl}/metrics`)).text();
    assert.match(metrics, /^janus_mediasoup_cluster_hosts 3$/m);
    assert.match(metrics, /^janus_mediasoup_cluster_pipes 0$/m);
  });

  it('one room name is one room: the others see where it is, and do not make it again', async () => {
    const [a, b, c] = hosts;
    assert.equal((await ask(a, { request: 'create', room: 'alpha' })).mediasoup, 'created');
    const seen = await ask(b, { request: 'exists', room: 'alpha' });
    assert.deepEqual([seen.exists, seen.host], [true, 'host-a']);
    assert.equal((await ask(b, { request: 'exists', room: 'nowhere' })).exists, false);
    assert.equal((await ask(c, { request: 'create', room: 'alpha' })).error_code, 444);
    // list shows every host's rooms, with their host (as published with the lease: within a third of it).
    await waitFor(async () => (await ask(c, { request: 'list' })).list.some((r) => r.room === 'alpha' && r.host === 'host-a'),
      { timeoutMs: LEASE_MS, what: 'alpha listed on host-c' });

    // First joins of one new room on three hosts at once: one host holds it, all three are in one room.
    const peers = await Promise.all(hosts.map((janus) => attachPeer(janus)));
    const answers = await Promise.all(peers.map((peer, i) => peer.request({ request: 'join', room: 'beta', display: `on-${'abc'[i]}` })));
    assert.ok(answers.every((x) => x.mediasoup === 'joined'), JSON.stringify(answers));
    for (const [i, peer] of peers.entries()) {
      for (const other of answers.filter((_, j) => j !== i)) {
        await peer.waitEvent((e) => (e.event === 'peerJoined' && e.peerId === other.peerId) ||
          answers[i].peers.some((p) => p.peerId === other.peerId), 5000).catch(() => {
          if (!answers[i].peers.some((p) => p.peerId === other.peerId)) throw new Error(`peer ${i} never learned of ${other.peerId}`);
        });
      }
    }
    for (const peer of peers) await peer.close();
    // The room held by a peer that left (auto-created) is released with it.
    await waitFor(async () => !(await ask(a, { request: 'exists', room: 'beta' })).exists, { what: 'beta released' }).catch(async (e) => {
      const lists = await Promise.all(hosts.map(async (janus) => JSON.stringify((await ask(janus, { request: 'exists', room: 'beta' })))));
      throw new Error(`${e.message}: ${lists.join(' | ')}`);
    });
  });

  it('a room\u2019s pin and secret guard it on every host; a kick from one host removes the peer on its own', async () => {
    const [a, b] = hosts;
    assert.equal((await ask(a, { request: 'create', room: 'guarded', pin: '4321', secret: 'sesame' })).mediasoup, 'created');
    assert.equal((await ask(b, { request: 'join', room: 'guarded' })).error_code, 449);
    const onA = await attachPeer(a);
    const joinedA = await onA.request({ request: 'join', room: 'guarded', pin: '4321' });
    assert.equal(joinedA.mediasoup, 'joined');
    const onB = await attachPeer(b);
    assert.equal((await onB.request({ request: 'join', room: 'guarded', pin: '4321' })).mediasoup, 'joined');
    assert.equal((await ask(b, { request: 'join', room: 'guarded', pin: 'nope' })).error_code, 449);
    assert.equal((await ask(b, { request: 'kick', room: 'guarded', peerId: joinedA.peerId })).error_code, 449);
    assert.equal((await ask(b, { request: 'kick', room: 'guarded', peerId: joinedA.peerId, secret: 'sesame' })).mediasoup, 'success');
    await onA.waitEvent((e) => e.event === 'kicked', 3000);
    await onB.waitEvent((e) => e.event === 'peerLeft' && e.peerId === joinedA.peerId, 5000);
    await onB.close();
    await onA.close();
    assert.equal((await ask(a, { request: 'destroy', room: 'guarded', secret: 'sesame' })).mediasoup, 'destroyed');
  });

  it('a producer of one host is consumed on two others: media crosses each link once, and closes with it', async () => {
    const [a, b, c] = hosts;
    const publisher = await attachPeer(a);
    const publisherJoined = await publisher.request({ request: 'join', room: 'span', display: 'publisher' });
    assert.equal(publisherJoined.mediasoup, 'joined');
    const send = await publisher.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const produced = await publisher.request({ request: 'produce', transportId: send.id, kind: 'audio', appData: { source: 'mic' },
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 4321 }] } });
    assert.equal(produced.mediasoup, 'produced', JSON.stringify(produced));
    const sender = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', '4321', '--pt', '100', '--count', '4000', '--interval-ms', '10']);
    sender.result.catch(() => {});  // killed at the end
    await sender.port;

    const listeners = [];
    for (const janus of [b, c]) {
      const peer = await attachPeer(janus);
      const joined = await peer.request({ request: 'join', room: 'span' });
      assert.equal(joined.mediasoup, 'joined');
      const remote = joined.peers.find((p) => p.peerId === publisherJoined.peerId);
      assert.ok(remote, `the join answer lists the publisher of the other host: ${JSON.stringify(joined.peers)}`);
      assert.equal(remote.host, 'host-a');
      assert.deepEqual(remote.producers.map((p) => [p.id, p.kind, p.appData.source]), [[produced.id, 'audio', 'mic']]);
      const recv = await peer.request({ request: 'createPlainTransport', direction: 'recv' });
      const receiver = rtpPeer(['recv', '--count', '50', '--timeout', '8']);
      assert.equal((await peer.request({ request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: await receiver.port })).mediasoup, 'connected');
      const consumer = await peer.request({ request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: RECEIVER });
      assert.equal(consumer.mediasoup, 'consumer', JSON.stringify(consumer));
      assert.equal((await peer.request({ request: 'resumeConsumer', consumerId: consumer.id })).mediasoup, 'success');
      listeners.push({ peer, receiver, consumer });
    }
    for (const { receiver } of listeners) {
      const seen = await receiver.result;
      assert.ok(seen.rtp >= 50, `packets through the pipe between hosts: ${JSON.stringify(seen)}`);
    }
    // Each link carries it once: a pipe transport on A for each of B and C, one on each of them.
    const pipes = pipesOf;
    assert.equal(await pipes(a), 2);
    assert.equal(await pipes(b), 1);
    assert.equal(await pipes(c), 1);
    // Each host's pipe transports listen on its own cluster_pipe_ip (its workers' UDP sockets there).
    const boundBy = (janus) => {
      const pids = liveWorkers(janus.proc.pid).map((p) => `pid=${p.pid},`);
      return execFileSync('ss', ['-uanpH'], { encoding: 'utf8' }).split('\n')
        .filter((line) => pids.some((pid) => line.includes(pid))).map((line) => line.trim().split(/\s+/)[3].replace(/:\d+$/, ''));
    };
    for (const [i, janus] of hosts.entries()) {
      const ips = boundBy(janus).filter((ip) => ip.startsWith('127.0.0.1') && ip.length > '127.0.0.1'.length);
      assert.ok(ips.length >= (i === 0 ? 2 : 1) && ips.every((ip) => ip === `127.0.0.${11 + i}`), `${NAMES[i]}: ${ips}`);
    }
    // The publisher hears of them as of any peer.
    for (const { peer } of listeners) {
      const { peerId } = peer;
      await publisher.waitEvent((e) => e.event === 'peerJoined' && (e.host === 'host-b' || e.host === 'host-c'), 5000);
      assert.ok(peerId === undefined || peerId);
    }

    // Redis restarted empty under it: the hosts register again, and the media between them goes on (nobody was
    // lost, nothing closed): a new consumer on host b gets packets through the same pipe.
    const marks = listeners.map(({ peer }) => peer.events.length);
    await redis.kill();
    await sleep(1500);
    await redis.start();
    await waitFor(() => registeredAgain(hosts), { timeoutMs: 10000, what: 'three hosts registered again, each seen with its new epoch' });
    const [first] = listeners;
    const recv2 = await first.peer.request({ request: 'createPlainTransport', direction: 'recv' });
    const receiver2 = rtpPeer(['recv', '--count', '50', '--timeout', '8']);
    await first.peer.request({ request: 'connectPlainTransport', transportId: recv2.id, ip: '127.0.0.1', port: await receiver2.port });
    const consumer2 = await first.peer.request({ request: 'consume', transportId: recv2.id, producerId: produced.id, rtpCapabilities: RECEIVER });
    assert.equal(consumer2.mediasoup, 'consumer', JSON.stringify(consumer2));
    await first.peer.request({ request: 'resumeConsumer', consumerId: consumer2.id });
    assert.ok((await receiver2.result).rtp >= 50, 'packets after Redis restarted');
    assert.equal(await pipes(b), 1, 'the same pipe');
    for (const [i, { peer }] of listeners.entries()) {
      const since = peer.events.slice(marks[i]);
      assert.ok(!since.some((e) => ['consumerClosed', 'peerLeft', 'producerClosed'].includes(e.event)), JSON.stringify(since));
    }

    // Closed on its host: the consumers on the others end.
    assert.equal((await publisher.request({ request: 'closeProducer', producerId: produced.id })).mediasoup, 'success');
    for (const { peer, consumer } of listeners) {
      await peer.waitEvent((e) => e.event === 'consumerClosed' && e.consumerId === consumer.id, 8000);
      await peer.waitEvent((e) => e.event === 'producerClosed' && e.producerId === produced.id, 5000);
    }
    sender.kill();
    for (const { peer } of listeners) await peer.close();
    await publisher.close();
    // Nobody left: the room is gone everywhere, and so are its pipes.
    await waitFor(async () => (await pipes(a)) === 0 && (await pipes(b)) === 0 && (await pipes(c)) === 0, { what: 'pipes closed' });
    await waitFor(async () => !(await ask(b, { request: 'exists', room: 'span' })).exists, { what: 'span gone' });
  });

  it('a producer announced while a host\u2019s subscriber connection is killed still reaches it (the next snapshot mends it)', async () => {
    const [a, b] = hosts;
    const watcher = await attachPeer(b);
    assert.equal((await watcher.request({ request: 'join', room: 'mend' })).mediasoup, 'joined');
    const publisher = await attachPeer(a);
    assert.equal((await publisher.request({ request: 'join', room: 'mend' })).mediasoup, 'joined');
    await watcher.waitEvent((e) => e.event === 'peerJoined' && e.host === 'host-a', 5000);
    // Every subscriber connection dropped (Redis's own CLIENT KILL), and the producer announced at once: its
    // snapshot is lost for b, whose inbox is not listening; the periodic one brings it.
    assert.match(await redisCommand(redis.port, 'CLIENT', 'KILL', 'TYPE', 'pubsub'), /^:\d+/);
    const send = await publisher.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const produced = await publisher.request({ request: 'produce', transportId: send.id, kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 777 }] } });
    assert.equal(produced.mediasoup, 'produced');
    await watcher.waitEvent((e) => e.event === 'newProducer' && e.producerId === produced.id, 8000);
    await publisher.close();
    await watcher.close();
    for (const janus of [a, b]) await holdsNothing(janus, 'nothing left after the subscribers were killed');
  });

  it('who is talking, over hosts: a listener on a third host hears the levels of tones on two others and the loud one speaks', async () => {
    const [a, b, c] = hosts;
    const room = 'talking';
    const loud = await publisher(a, room, 'loud', 6100);
    const quiet = await publisher(b, room, 'quiet', 6200);
    const listener = await attachPeer(c);
    const joined = await listener.request({ request: 'join', room, display: 'listener' });
    assert.equal(joined.mediasoup, 'joined');
    const levelsOf = (peer, peerId) => peer.events.filter((e) => e.event === 'audioLevels').flatMap((e) => e.levels.filter((l) => l.peerId === peerId));
    await listener.waitEvent((e) => e.event === 'activeSpeaker' && e.peerId === loud.peerId, 15000);
    await waitFor(() => levelsOf(listener, loud.peerId).length >= 2 && levelsOf(listener, quiet.peerId).length >= 2,
      { timeoutMs: 10000, what: 'levels of both hosts\u2019 tones on the third' });
    assert.ok(levelsOf(listener, loud.peerId).every((l) => l.volume > -20), JSON.stringify(levelsOf(listener, loud.peerId)));
    assert.ok(levelsOf(listener, quiet.peerId).every((l) => l.volume < -20), JSON.stringify(levelsOf(listener, quiet.peerId)));
    // The quiet one's host hears the same speaker (its copy of the loud tone crossed from host-a).
    await quiet.waitEvent((e) => e.event === 'activeSpeaker' && e.peerId === loud.peerId, 10000);
    // Each tone crossed to the third host once, though nobody there consumes it.
    const pipes = Number((await (await fetch(`${c.statsUrl}/metrics`)).text()).match(/^janus_mediasoup_cluster_pipes (\d+)$/m)[1]);
    assert.equal(pipes, 2, 'one inbound pipe from each host');
    for (const peer of [loud, quiet]) peer.tone.stop();
    for (const peer of [listener, loud, quiet]) await peer.close();
    for (const janus of hosts) await holdsNothing(janus, 'nothing left after who is talking');
  });

  it('a drained host takes no new peers and names a host that does; its room goes on there; resumed, it takes peers again', async () => {
    const [a, b] = hosts;
    const stays = await attachPeer(b);
    const stayed = await stays.request({ request: 'join', room: 'drained', display: 'stays' });
    assert.equal(stayed.mediasoup, 'joined');
    const drained = (await admin(b, { request: 'drainHost' })).response;
    assert.deepEqual([drained.mediasoup, drained.draining, drained.peers, drained.hostId], ['success', true, 1, 'host-b']);
    const refused = await ask(b, { request: 'join', room: 'drained' });
    assert.equal(refused.error_code, 448);
    assert.match(refused.error, /draining/);
    assert.ok(['host-a', 'host-c'].includes(refused.hostId), JSON.stringify(refused));
    assert.equal((await ask(b, { request: 'create', room: 'not-here' })).error_code, 448);
    await waitFor(async () => (await hostsOf(a)).find((h) => h.hostId === 'host-b')?.draining === true,
      { timeoutMs: LEASE_MS, what: 'host-b seen draining' });
    // Where it says to go, the peer joins the same room, with the drained host's peer in it.
    const elsewhere = await attachPeer(hosts[NAMES.indexOf(refused.hostId)]);
    const joined = await elsewhere.request({ request: 'join', room: 'drained', display: 'sent on' });
    assert.equal(joined.mediasoup, 'joined');
    assert.ok(joined.peers.some((p) => p.peerId === stayed.peerId && p.host === 'host-b'), JSON.stringify(joined.peers));
    await stays.waitEvent((e) => e.event === 'peerJoined' && e.peerId === joined.peerId, 5000);
    const resumed = (await admin(b, { request: 'resumeHost' })).response;
    assert.deepEqual([resumed.mediasoup, resumed.draining], ['success', false]);
    const again = await attachPeer(b);
    assert.equal((await again.request({ request: 'join', room: 'drained' })).mediasoup, 'joined');
    await waitFor(async () => (await hostsOf(a)).find((h) => h.hostId === 'host-b')?.draining === false,
      { timeoutMs: LEASE_MS, what: 'host-b seen taking peers again' });
    for (const peer of [again, elsewhere, stays]) await peer.close();
    for (const janus of hosts) await holdsNothing(janus, 'nothing left after draining');
  });

  it('Redis unreachable for 20 s: each host\u2019s rooms go on, media between hosts goes on, a room elsewhere answers 448; then every host registers again', async () => {
    const [a, b, c] = hosts;
    const epochs = Object.fromEntries((await hostsOf(a)).map((h) => [h.hostId, h.epoch]));
    const lostBefore = await Promise.all(hosts.map((janus) => eventCount(janus, 'hostLost')));
    const publisher = await attachPeer(a);
    const published = await publisher.request({ request: 'join', room: 'steady', display: 'publisher' });
    assert.equal(published.mediasoup, 'joined');
    const send = await publisher.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const produced = await publisher.request({ request: 'produce', transportId: send.id, kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 5151 }] } });
    assert.equal(produced.mediasoup, 'produced');
    const sender = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', '5151', '--pt', '100', '--count', '2000', '--interval-ms', '20']);
    sender.result.catch(() => {});
    await sender.port;
    const listener = await attachPeer(b);
    assert.equal((await listener.request({ request: 'join', room: 'steady' })).mediasoup, 'joined');
    const recv = await listener.request({ request: 'createPlainTransport', direction: 'recv' });
    // Listens through the outage and a little after: it reports how many packets came and the longest silence.
    const receiver = rtpPeer(['recv', '--count', '100000', '--timeout', '27']);
    await listener.request({ request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: await receiver.port });
    const consumer = await listener.request({ request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: RECEIVER });
    assert.equal(consumer.mediasoup, 'consumer', JSON.stringify(consumer));
    await listener.request({ request: 'resumeConsumer', consumerId: consumer.id });
    const mark = listener.events.length;
    await sleep(2000);

    // Frozen: every connection stays up and nothing answers, as behind a partition.
    redis.proc.kill('SIGSTOP');
    const frozenAt = Date.now();
    let lateId;
    try {
      await sleep(3 * LEASE_MS);
      // The room host b has goes on: another peer joins it there, and hears of the publisher.
      const late = await attachPeer(b);
      const lateJoined = await late.request({ request: 'join', room: 'steady', display: 'late' });
      assert.equal(lateJoined.mediasoup, 'joined');
      lateId = lateJoined.peerId;
      assert.ok(lateJoined.peers.some((p) => p.peerId === published.peerId), JSON.stringify(lateJoined.peers));
      await late.close();
      // A room host c does not have: it cannot know where it is.
      const elsewhere = await ask(c, { request: 'join', room: 'steady' });
      assert.equal(elsewhere.error_code, 448, JSON.stringify(elsewhere));
      assert.match(elsewhere.error, /cluster directory \(Redis\) cannot be reached/);
      assert.equal((await ask(a, { request: 'create', room: 'while-down' })).error_code, 448);
      assert.equal((await ask(c, { request: 'exists', room: 'while-down' })).exists, false);
      await sleep(Math.max(0, 20000 - (Date.now() - frozenAt)));
    } finally {
      redis.proc.kill('SIGCONT');
    }
    for (const janus of hosts) {
      await waitFor(async () => {
        const seen = await hostsOf(janus);
        return seen.length === 3 && seen.every((h) => h.epoch > epochs[h.hostId]);
      }, { timeoutMs: 10000, what: 'every host registered again' });
    }
    // Nobody was lost, on any host; the packets never stopped for long.
    assert.deepEqual(await Promise.all(hosts.map((janus) => eventCount(janus, 'hostLost'))), lostBefore);
    const since = listener.events.slice(mark).filter((e) => e.peerId !== lateId);
    assert.ok(!since.some((e) => ['consumerClosed', 'peerLeft', 'producerClosed'].includes(e.event)), JSON.stringify(since));
    const seen = await receiver.result;
    assert.ok(seen.rtp >= 1000, `packets across the outage: ${JSON.stringify(seen)}`);
    assert.ok(seen.maxGapMs < 1000, `the longest silence: ${JSON.stringify(seen)}`);
    // And host c joins the room now.
    const now = await attachPeer(c);
    const nowJoined = await now.request({ request: 'join', room: 'steady' });
    assert.equal(nowJoined.mediasoup, 'joined', JSON.stringify(nowJoined));
    assert.ok(nowJoined.peers.some((p) => p.peerId === published.peerId));
    sender.kill();
    for (const peer of [now, listener, publisher]) await peer.close();
    for (const janus of hosts) await holdsNothing(janus, 'nothing left after Redis was unreachable');
  });

  it('a host frozen past its lease is fenced, registers again with a new epoch, and joins its room where it went; the media is piped again', async () => {
    const [a, b, c] = hosts;
    assert.equal((await ask(c, { request: 'create', room: 'gamma' })).mediasoup, 'created');
    // A publisher on host c (its own room), a listener on host a consuming it.
    const onC = await attachPeer(c);
    const joinedC = await onC.request({ request: 'join', room: 'gamma' });
    const send = await onC.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const produced = await onC.request({ request: 'produce', transportId: send.id, kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 9090 }] } });
    const sender = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', '9090', '--pt', '100', '--count', '4000', '--interval-ms', '5']);
    sender.result.catch(() => {});
    await sender.port;
    const listener = await attachPeer(a);
    assert.equal((await listener.request({ request: 'join', room: 'gamma' })).mediasoup, 'joined');
    const consumeInto = async (count) => {
      const recv = await listener.request({ request: 'createPlainTransport', direction: 'recv' });
      const receiver = rtpPeer(['recv', '--count', String(count), '--timeout', '8']);
      await listener.request({ request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: await receiver.port });
      const consumer = await listener.request({ request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: RECEIVER });
      assert.equal(consumer.mediasoup, 'consumer', JSON.stringify(consumer));
      await listener.request({ request: 'resumeConsumer', consumerId: consumer.id });
      return receiver.result;
    };
    assert.ok((await consumeInto(50)).rtp >= 50, 'packets from host c before the freeze');

    const before = (await hostsOf(a)).find((h) => h.hostId === 'host-c');
    c.proc.kill('SIGSTOP');
    await waitFor(async () => !(await hostIds(a)).includes('host-c'), { timeoutMs: LEASE_MS + 1500, what: 'host-c lost while frozen' });
    await listener.waitEvent((e) => e.event === 'peerLeft' && e.peerId === joinedC.peerId, 3000);
    // Its member took the room over.
    await waitFor(async () => (await ask(b, { request: 'exists', room: 'gamma' })).host === 'host-a', { what: 'gamma held by host-a' });
    c.proc.kill('SIGCONT');
    const again = await waitFor(async () => (await hostsOf(a)).find((h) => h.hostId === 'host-c' && h.epoch > before.epoch),
      { timeoutMs: 5000, what: 'host-c registered again' });
    assert.ok(again.epoch > before.epoch);
    // It sees itself under the new epoch only (it never adopted its old entry).
    const own = (await hostsOf(c)).filter((h) => h.hostId === 'host-c');
    assert.equal(own.length, 1);
    assert.equal(own[0].epoch, again.epoch);
    // It joined the room where it went: host a still holds it, hears of c's peer and producer again (the same
    // ids), and consumes it through a new pipe without a duplicate-id error.
    await listener.waitEvent((e) => e.event === 'newProducer' && e.producerId === produced.id &&
      listener.events.indexOf(e) > listener.events.findIndex((x) => x.event === 'peerLeft' && x.peerId === joinedC.peerId), 8000);
    assert.equal((await ask(b, { request: 'exists', room: 'gamma' })).host, 'host-a');
    assert.ok((await consumeInto(50)).rtp >= 50, 'packets from host c after it came back');
    const metrics = await (await fetch(`${a.statsUrl}/metrics`)).text();
    assert.match(metrics, /janus_mediasoup_events_total\{event="hostLost"\} [1-9]/);
    assert.match(metrics, /janus_mediasoup_events_total\{event="hostJoined"\} [1-9]/);
    sender.kill();
    await listener.close();
    await onC.close();
    for (const janus of hosts) await holdsNothing(janus, 'nothing left after a host was frozen');
  });

  it('Redis restarted empty: every host registers again', async () => {
    const [a, b] = hosts;
    await redis.kill();
    await sleep(1000);
    await redis.start();
    await waitFor(() => registeredAgain(hosts), { timeoutMs: 10000, what: 'three hosts registered again, each seen with its new epoch' });
    assert.ok((await hostsOf(b)).every((h) => h.leaseMs > 0));
    assert.equal(a.proc.exitCode, null);
    await waitFor(async () => (await ask(b, { request: 'exists', room: 'alpha' })).host === 'host-a', { what: 'alpha claimed again' });
    for (const janus of hosts) await holdsNothing(janus, 'nothing left after Redis restarted');
  });

  it('killed hosts (a member, then the home) are gone for the others within a lease and a second; a host whose codecs differ is refused; a stopped one is gone at once', async () => {
    const [a, b, c] = hosts;
    assert.equal((await ask(b, { request: 'create', room: 'delta' })).mediasoup, 'created');
    const member = await attachPeer(a);
    const memberJoined = await member.request({ request: 'join', room: 'delta' });
    assert.equal(memberJoined.mediasoup, 'joined', JSON.stringify(memberJoined));  // a member of b's room
    // A publisher on a third host, consumed on host a: a pipe from c to a.
    const onC = await attachPeer(c);
    const joinedC = await onC.request({ request: 'join', room: 'delta' });
    const send = await onC.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const produced = await onC.request({ request: 'produce', transportId: send.id, kind: 'audio',
      rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2 }], encodings: [{ ssrc: 8080 }] } });
    assert.equal(produced.mediasoup, 'produced');
    await member.waitEvent((e) => e.event === 'newProducer' && e.producerId === produced.id, 8000);
    const recv = await member.request({ request: 'createPlainTransport', direction: 'recv' });
    await member.request({ request: 'connectPlainTransport', transportId: recv.id, ip: '127.0.0.1', port: 9 });
    const consumer = await member.request({ request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: RECEIVER });
    assert.equal(consumer.mediasoup, 'consumer', JSON.stringify(consumer));
    assert.ok(await pipesOf(a) >= 1);

    // The member host c killed: its peer leaves host a's, its producer closes there, the pipe from it goes.
    c.proc.kill('SIGKILL');
    await member.waitEvent((e) => e.event === 'peerLeft' && e.peerId === joinedC.peerId, LEASE_MS + 2000);
    assert.ok(member.events.some((e) => e.event === 'consumerClosed' && e.consumerId === consumer.id));
    await waitFor(async () => (await pipesOf(a)) === 0, { what: 'host-a\u2019s pipes from host-c closed' });
    assert.equal((await member.request({ request: 'closeTransport', transportId: recv.id })).mediasoup, 'success');

    const killedAt = Date.now();
    b.proc.kill('SIGKILL');
    await waitFor(async () => !(await hostIds(a)).includes('host-b'), { timeoutMs: LEASE_MS + 1000, what: 'host-b gone' });
    assert.ok(Date.now() - killedAt <= LEASE_MS + 1000, `gone after ${Date.now() - killedAt} ms`);
    // A host whose media_codecs differ joins the cluster but cannot share a room: refused with the reason.
    const odd = await startHost(redis, 'host-d', 3, ['media_codecs = "opus,VP9"']);
    try {
      await waitFor(async () => (await hostIds(odd)).join() === 'host-a,host-d', { timeoutMs: 10000, what: 'host-d registered' });
      // The room's home is gone: its member took it over, as the new host finds.
      await waitFor(async () => (await ask(odd, { request: 'exists', room: 'delta' })).host === 'host-a', { what: 'delta held by host-a' });
      const refused = await ask(odd, { request: 'join', room: 'delta' });
      assert.equal(refused.error_code, 448, JSON.stringify(refused));
      assert.match(refused.error, /media_codecs differ/);
      assert.equal((await ask(a, { request: 'exists', room: 'delta' })).exists, true);
      await member.close();
      const stoppedAt = Date.now();
      await odd.stop();
      await waitFor(async () => (await hostIds(a)).join() === 'host-a', { timeoutMs: 2000, what: 'host-d gone once it left' });
      assert.ok(Date.now() - stoppedAt < LEASE_MS, 'a clean stop removes its entry rather than waiting for the lease');
    } finally {
      await odd.stop('SIGKILL').catch(() => {});
    }
    // The survivor, after every failure above, holds nothing it shared with the others.
    const metrics = await (await fetch(`${a.statsUrl}/metrics`)).text();
    for (const gauge of ['janus_mediasoup_transports', 'janus_mediasoup_cluster_pipes', 'janus_mediasoup_peers']) {
      assert.match(metrics, new RegExp(`^${gauge} 0$`, 'm'), gauge);
    }
    const held = heldBy(a, redis.port);
    assert.equal(held.other, fdsAtStart.other, `host-a's fds other than sockets (worker pipes, loop handles): ${JSON.stringify([fdsAtStart, held])}`);
    assert.equal(held.redis, 2, 'its two Redis connections, no more');
  });
});

describe('a cluster on a Redis that requires a password', () => {
  let redis;
  const hosts = [];
  before(async () => { redis = await startRedis({ password: 'p@ss:word' }); });
  after(async () => {
    for (const janus of hosts) await janus.stop('SIGKILL').catch(() => {});
    await redis?.kill();
  });

  it('hosts with the password in cluster_redis register; a host with a wrong one never does, and says why', async () => {
    hosts.push(await startHost(redis, 'host-a', 0), await startHost(redis, 'host-b', 1));
    for (const janus of hosts) {
      await waitFor(async () => (await hostIds(janus)).join() === 'host-a,host-b', { timeoutMs: 10000, what: 'both hosts registered' });
    }
    const wrong = await startHost({ url: redis.url.replace('p%40ss%3Aword', 'nope') }, 'host-c', 2);
    hosts.push(wrong);
    await waitFor(() => /refused the credentials/.test(wrong.log()), { timeoutMs: 5000, what: 'the refusal in host-c\u2019s log' });
    assert.ok(!wrong.log().includes('p@ss:word') && !wrong.log().includes('nope'), 'no password in the log');
    assert.deepEqual(await hostIds(hosts[0]), ['host-a', 'host-b']);
    assert.deepEqual(await hostIds(wrong), []);
  });
});
