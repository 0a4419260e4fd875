// The plugin's lifecycle events reach Janus's event handlers. Janus's own sample event handler
// (libjanus_sampleevh.so) posts them to an HTTP server this test runs on loopback.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import { startJanus, getJson, attachPeer, waitFor } from './harness.mjs';

describe('Janus event handlers', () => {
  it('receive room, peer, producer and worker lifecycle events from janus.plugin.mediasoup', async () => {
    const received = [];
    const server = createServer((req, res) => {
      let body = '';
      req.on('data', (chunk) => { body += chunk; });
      req.on('end', () => {
        for (const e of [].concat(JSON.parse(body))) {
          if (e.event?.plugin === 'janus.plugin.mediasoup') received.push(e.event.data);
        }
        res.end();
      });
    });
    await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
    const janus = await startJanus({ workers: 2, eventHandler: `http://127.0.0.1:${server.address().port}/` });
    const find = (predicate, what) => waitFor(() => received.find(predicate), { what, timeoutMs: 10000 })
      .catch(() => { throw new Error(`${what} not received; got ${JSON.stringify(received)}`); });
    try {
      await find((e) => e.event === 'workerStarted' && e.workerId === 1 && e.pid > 0, 'workerStarted');
      const peer = await attachPeer(janus);
      assert.equal((await peer.request({ request: 'create', room: 'evented' })).mediasoup, 'created');
      await find((e) => e.event === 'roomCreated' && e.room === 'evented' && Number.isInteger(e.worker), 'roomCreated');
      const joined = await peer.request({ request: 'join', room: 'evented', display: 'eve' });
      await find((e) => e.event === 'peerJoined' && e.room === 'evented' && e.peerId === joined.peerId && e.display === 'eve', 'peerJoined');
      const send = await peer.request({ request: 'createWebRtcTransport', direction: 'send' });
      const produced = await peer.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: {
        mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [], encodings: [{ ssrc: 777 }], rtcp: { cname: 'e' } } });
      await find((e) => e.event === 'producerCreated' && e.producerId === produced.id && e.kind === 'audio' && e.peerId === joined.peerId, 'producerCreated');
      await peer.request({ request: 'closeProducer', producerId: produced.id });
      await find((e) => e.event === 'producerClosed' && e.producerId === produced.id && e.room === 'evented', 'producerClosed');
      await peer.request({ request: 'leave' });
      await find((e) => e.event === 'peerLeft' && e.peerId === joined.peerId, 'peerLeft');
      await peer.request({ request: 'destroy', room: 'evented' });
      await find((e) => e.event === 'roomClosed' && e.room === 'evented' && e.reason === 'destroyed', 'roomClosed');

      // A worker killed and respawned.
      const victim = (await getJson(`${janus.statsUrl}/workers`)).body.workers[0];
      process.kill(victim.pid, 'SIGKILL');
      await find((e) => e.event === 'workerDied' && e.workerId === 0 && e.pid === victim.pid && typeof e.reason === 'string', 'workerDied');
      await find((e) => e.event === 'workerStarted' && e.workerId === 0 && e.pid !== victim.pid && e.restarts === 1, 'workerStarted again');
      await peer.close();
    } finally {
      await janus.stop();
      server.close();
    }
  });
});
