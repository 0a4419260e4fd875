// Janus's WebSocket transport beside HTTP. A client on WebSocket and one on HTTP share a room:
// answers, events and errors are the same whichever transport carries them.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer, attachPeerWs, waitFor } from './harness.mjs';

describe('the WebSocket transport', () => {
  it('carries requests, answers and events like HTTP does, in the same rooms', async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      const ws = await attachPeerWs(janus);
      const http = await attachPeer(janus);
      const joined = await ws.request({ request: 'join', room: 'both', display: 'ws' });
      assert.equal(joined.mediasoup, 'joined');
      const other = await http.request({ request: 'join', room: 'both', display: 'http' });
      assert.deepEqual(other.peers.map((p) => p.display), ['ws']);
      const seen = await ws.waitEvent((e) => e.event === 'peerJoined');
      assert.equal(seen.display, 'http');
      assert.equal((await ws.request({ request: 'createWebRtcTransport', direction: 'send' })).mediasoup, 'transport');
      assert.equal((await ws.request({ request: 'consume', transportId: 'nope', producerId: 'x', rtpCapabilities: {} })).error_code, 446);
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).body.totalRooms, 1);
      await ws.close();  // destroying the session over WebSocket leaves the room like a detach
      await http.waitEvent((e) => e.event === 'peerLeft' && e.display === 'ws');
      await http.close();
      await waitFor(async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms === 0, { what: 'room closed' });
    } finally {
      await janus.stop();
    }
  });
});
