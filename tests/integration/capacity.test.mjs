// Issue 7: one port per worker. With a WebRtcServer (the default) a worker's WebRTC transports all share one
// UDP and one TCP port, so its port range does not bound them; without, each transport takes its own ports
// and a full range fails cleanly.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer } from './harness.mjs';

async function pool(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

describe('one WebRtcServer per worker', () => {
  it('holds 1,500 WebRTC transports in one room on a worker whose range is 20 ports, all on the server\u2019s port', async () => {
    const janus = await startJanus({ workers: 1, jcfg: 'ports_per_worker = 20' });
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
    const janus = await startJanus({ workers: 1, jcfg: 'ports_per_worker = 20\nwebrtc_server = false' });
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
