// One port per worker. With a WebRtcServer (the default) a worker's WebRTC transports all share one
// UDP and one TCP port, so its port range does not bound them; without, each transport takes its own ports
// and a full range fails cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer, waitFor, UNLIMITED_PEERS } from './harness.mjs';

async function pool(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

describe('one WebRtcServer per worker', () => {
  it('holds 1,500 WebRTC transports in one room on a worker whose range is 20 ports, all on the server\u2019s port', async () => {
    const janus = await startJanus({ workers: 1, jcfg: `ports_per_worker = 20\n${UNLIMITED_PEERS}` });
    try {
      const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
      assert.deepEqual(workers.workers[0].webRtcServer, { ip: '127.0.0.1', udpPort: 10000, tcpPort: 10000 });
      const peers = [];
      for (let i = 0; i < 8; i++) {
        const peer = await attachPeer(janus);
        assert.equal((await peer.request({ request: 'join', room: 'big' })).mediasoup, 'joined');
        peers.push(peer);
      }
      const ports = new Map();
      await pool(1500, 8, async (i) => {
        const t = await peers[i % 8].request({ request: 'createWebRtcTransport', direction: i % 2 ? 'send' : 'recv' });
        assert.equal(t.mediasoup, 'transport', JSON.stringify(t));
        for (const c of t.iceCandidates) ports.set(`${c.protocol}:${c.port}`, (ports.get(`${c.protocol}:${c.port}`) ?? 0) + 1);
      });
      assert.deepEqual(Object.fromEntries(ports), { 'udp:10000': 1500, 'tcp:10000': 1500 });
      const stats = (await getJson(`${janus.statsUrl}/stats`)).body;
      assert.equal(stats.workers[0].pid, workers.workers[0].pid);
      for (const peer of peers) await peer.close();
    } finally {
      await janus.stop();
    }
  });

  it('without it (webrtc_server = false), the 21st transport of a 20-port range fails with 448 and nothing else changes', async () => {
    const janus = await startJanus({ workers: 1, jcfg: `ports_per_worker = 20\nwebrtc_server = false\n${UNLIMITED_PEERS}` });
    try {
      const { body: before } = await getJson(`${janus.statsUrl}/workers`);
      assert.equal(before.workers[0].webRtcServer, null);
      const peer = await attachPeer(janus);
      await peer.request({ request: 'join', room: 'small' });
      const transports = [];
      for (let i = 0; i < 20; i++) {
        const t = await peer.request({ request: 'createWebRtcTransport', direction: 'recv' });
        assert.equal(t.mediasoup, 'transport', JSON.stringify(t));
        const port = t.iceCandidates[0].port;
        assert.ok(port >= 10000 && port <= 10019, `port ${port} in the worker's range`);
        transports.push(t.id);
      }
      const full = await peer.request({ request: 'createWebRtcTransport', direction: 'recv' });
      assert.equal(full.error_code, 448, JSON.stringify(full));
      assert.match(full.error, /cannot take more/);
      // Janus, the worker and the room live on; a freed port is usable again.
      const { body: after } = await getJson(`${janus.statsUrl}/workers`);
      assert.equal(after.workers[0].pid, before.workers[0].pid);
      assert.equal(after.workers[0].closed, false);
      assert.equal((await peer.request({ request: 'closeTransport', transportId: transports[0] })).mediasoup, 'success');
      assert.equal((await peer.request({ request: 'createWebRtcTransport', direction: 'send' })).mediasoup, 'transport');
      assert.equal((await peer.request({ request: 'list' })).list[0].peers, 1);
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

const opus = (ssrc) => ({
  mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'wide', reducedSize: true },
});
const vp8 = (ssrc) => ({
  mid: '1', codecs: [{ mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] }],
  headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'wide', reducedSize: true },
});
const SCTP = { numStreams: { OS: 1024, MIS: 1024 } };

describe('rooms over several workers', () => {
  it('places one peer per router on three workers; each consumes the others through pipes; pause, close, data and a death follow', async () => {
    const janus = await startJanus({ workers: 3, jcfg: `max_peers_per_router = 1\n${UNLIMITED_PEERS}` });
    try {
      const peers = [];
      for (let i = 0; i < 3; i++) {
        const peer = await attachPeer(janus);
        peer.joined = await peer.request({ request: 'join', room: 'wide', display: `p${i}` });
        assert.equal(peer.joined.mediasoup, 'joined');
        peers.push(peer);
      }
      assert.deepEqual(peers.map((p) => p.joined.worker).sort(), [0, 1, 2], 'one router per worker');
      const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
      assert.equal(stats.totalRooms, 1);
      assert.deepEqual(stats.distribution, { 0: ['wide'], 1: ['wide'], 2: ['wide'] });
      for (const w of stats.workers) assert.equal(w.roomCount, 1);
      const [listed] = (await peers[0].request({ request: 'list' })).list;
      assert.deepEqual(listed.workers, [0, 1, 2]);
      assert.equal(listed.peers, 3);

      // Everyone publishes audio and video, and consumes everyone else's (piped between workers).
      for (const [i, peer] of peers.entries()) {
        peer.send = await peer.request({ request: 'createWebRtcTransport', direction: 'send', sctpCapabilities: SCTP });
        peer.recv = await peer.request({ request: 'createWebRtcTransport', direction: 'recv', sctpCapabilities: SCTP });
        peer.audio = (await peer.request({ request: 'produce', transportId: peer.send.id, kind: 'audio', rtpParameters: opus(1111 + i) })).id;
        peer.video = (await peer.request({ request: 'produce', transportId: peer.send.id, kind: 'video', rtpParameters: vp8(2222 + i) })).id;
        assert.ok(peer.audio && peer.video);
      }
      const consumers = new Map();  // `${consumerPeer}:${producerId}` → consumer id
      await Promise.all(peers.map(async (peer, i) => {
        for (const other of peers) {
          if (other === peer) continue;
          // Both of a producer's consumes race: the pipe is made once and both wait for it.
          const answers = await Promise.all([other.audio, other.video].map((producerId) => peer.request({
            request: 'consume', transportId: peer.recv.id, producerId, rtpCapabilities: peer.joined.routerRtpCapabilities,
          })));
          for (const a of answers) {
            assert.equal(a.mediasoup, 'consumer', JSON.stringify(a));
            consumers.set(`${i}:${a.producerId}`, a.id);
          }
        }
      }));
      assert.equal(consumers.size, 12);

      // A second consumer of an already piped producer on the same worker needs no new pipe.
      const again = await peers[1].request({ request: 'consume', transportId: peers[1].recv.id, producerId: peers[0].audio, rtpCapabilities: peers[1].joined.routerRtpCapabilities });
      assert.equal(again.mediasoup, 'consumer');

      // Pause and resume follow the producer through the pipes to the consumers on the other workers.
      await peers[0].request({ request: 'pauseProducer', producerId: peers[0].video });
      for (const i of [1, 2]) {
        const id = consumers.get(`${i}:${peers[0].video}`);
        await peers[i].waitEvent((e) => e.event === 'consumerPaused' && e.consumerId === id);
      }
      await peers[0].request({ request: 'resumeProducer', producerId: peers[0].video });
      for (const i of [1, 2]) {
        const id = consumers.get(`${i}:${peers[0].video}`);
        await peers[i].waitEvent((e) => e.event === 'consumerResumed' && e.consumerId === id);
      }

      // Data crosses workers too.
      const dataSend = await peers[0].request({ request: 'createWebRtcTransport', direction: 'send', sctpCapabilities: SCTP });
      const dataProducer = await peers[0].request({ request: 'produceData', transportId: dataSend.id, sctpStreamParameters: { streamId: 0, ordered: true }, label: 'chat' });
      assert.equal(dataProducer.mediasoup, 'dataProduced');
      const dataConsumer = await peers[2].request({ request: 'consumeData', transportId: peers[2].recv.id, dataProducerId: dataProducer.id });
      assert.equal(dataConsumer.mediasoup, 'dataConsumer', JSON.stringify(dataConsumer));
      assert.equal(dataConsumer.label, 'chat');

      // Closing a producer on worker 0 closes its consumers on workers 1 and 2.
      await peers[0].request({ request: 'closeProducer', producerId: peers[0].audio });
      for (const i of [1, 2]) {
        const id = consumers.get(`${i}:${peers[0].audio}`);
        await peers[i].waitEvent((e) => e.event === 'consumerClosed' && e.consumerId === id);
        await peers[i].waitEvent((e) => e.event === 'producerClosed' && e.producerId === peers[0].audio);
      }
      await peers[1].waitEvent((e) => e.event === 'consumerClosed' && e.consumerId === again.id);
      await peers[0].request({ request: 'closeTransport', transportId: dataSend.id });
      await peers[2].waitEvent((e) => e.event === 'dataConsumerClosed' && e.dataConsumerId === dataConsumer.id);

      // A peer leaving empties its router, which closes; the others keep their media.
      await peers[2].request({ request: 'leave' });
      const after = await waitFor(async () => {
        const { body } = await getJson(`${janus.statsUrl}/stats`);
        return body.distribution[String(peers[2].joined.worker)].length === 0 ? body : null;
      }, { what: 'the emptied router closed' });
      assert.equal(after.totalRooms, 1);
      const stillThere = consumers.get(`0:${peers[1].video}`);
      assert.equal((await peers[0].request({ request: 'getStats', consumerId: stillThere })).mediasoup, 'stats');

      // Peer 1's worker dies: peer 1 moves (worker 0 is full: a new router elsewhere), peer 0 is told what went.
      const victim = (await getJson(`${janus.statsUrl}/workers`)).body.workers[peers[1].joined.worker];
      process.kill(victim.pid, 'SIGKILL');
      const moved = await peers[1].waitEvent((e) => e.event === 'moved');
      assert.notEqual(moved.worker, peers[1].joined.worker);
      assert.notEqual(moved.worker, peers[0].joined.worker, 'max_peers_per_router = 1: not onto peer 0\u2019s router');
      assert.deepEqual(moved.peers.map((p) => p.peerId), [peers[0].joined.peerId]);
      await peers[0].waitEvent((e) => e.event === 'producerClosed' && e.producerId === peers[1].video);
      await peers[0].waitEvent((e) => e.event === 'consumerClosed' && e.consumerId === stillThere);
      assert.ok(!peers[0].events.some((e) => e.event === 'moved'), 'peer 0 stays where it is');
      // Peer 1 sets up again on its new router and consumes peer 0 across workers.
      const recv = await peers[1].request({ request: 'createWebRtcTransport', direction: 'recv' });
      const c = await peers[1].request({ request: 'consume', transportId: recv.id, producerId: peers[0].video, rtpCapabilities: moved.routerRtpCapabilities });
      assert.equal(c.mediasoup, 'consumer', JSON.stringify(c));
      for (const peer of peers) await peer.close();
      await waitFor(async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms === 0, { what: 'room closed' });
    } finally {
      await janus.stop();
    }
  });
});
