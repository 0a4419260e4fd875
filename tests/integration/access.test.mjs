// Access control and limits through a real Janus: with admin_key and token_secret set, every request of the API
// is tried without credentials (refused: 449, or 445 for what needs a joined handle) and with them (done), and
// nothing changes on a refusal. Tokens are minted here with node:crypto's HMAC.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { startJanus, getJson, attachPeer } from './harness.mjs';

const ADMIN_KEY = 'test-admin-key-0123';
const TOKEN_SECRET = 'test-token-secret-0123456789abcdef';
const b64url = (value) => Buffer.from(typeof value === 'string' ? value : JSON.stringify(value)).toString('base64url');
function token(claims, { secret = TOKEN_SECRET, alg = 'HS256', hash = 'sha256' } = {}) {
  const input = `${b64url({ alg, typ: 'JWT' })}.${b64url({ exp: Math.floor(Date.now() / 1000) + 300, ...claims })}`;
  return `${input}.${createHmac(hash, secret).update(input).digest('base64url')}`;
}

const OPUS = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] };
const audio = (ssrc) => ({ mid: '0', codecs: [OPUS], headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'a' } });

describe('access control and limits', () => {
  let janus;
  before(async () => {
    janus = await startJanus({ workers: 1, jcfg: `admin_key = "${ADMIN_KEY}"\ntoken_secret = "${TOKEN_SECRET}"\nmax_transports_per_peer = 3` });
  });
  after(async () => { await janus?.stop(); });

  it('refuses every request without its credential, and does it with it', async () => {
    const stranger = await attachPeer(janus);
    const owner = await attachPeer(janus);
    const guest = await attachPeer(janus);
    const refused = async (peer, body, code) => {
      const answer = await peer.request(body);
      assert.equal(answer.error_code, code, `${JSON.stringify(body).slice(0, 120)} → ${JSON.stringify(answer)}`);
      return answer;
    };
    const rooms = async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms;

    // Without credentials.
    await refused(stranger, { request: 'create', room: 'vault' }, 449);
    await refused(stranger, { request: 'create', room: 'vault', admin_key: 'guess' }, 449);
    await refused(stranger, { request: 'join', room: 'vault' }, 449);
    await refused(stranger, { request: 'join', room: 'vault', token: token({ room: 'vault' }) }, 449);  // would create it
    assert.equal(await rooms(), 0);

    // With them: the admin creates a room with a pin and a secret.
    const created = await owner.request({ request: 'create', room: 'vault', admin_key: ADMIN_KEY, pin: '2468', secret: 'vault-secret' });
    assert.equal(created.mediasoup, 'created');
    const list = await stranger.request({ request: 'list' });
    assert.ok(!JSON.stringify(list).includes('2468') && !JSON.stringify(list).includes('vault-secret'), 'credentials never listed');

    await refused(stranger, { request: 'join', room: 'vault', pin: '2468' }, 449);  // no token
    await refused(stranger, { request: 'join', room: 'vault', token: token({ room: 'vault' }) }, 449);  // no pin
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: token({ room: 'elsewhere' }) }, 449);
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: token({ room: 'vault' }, { alg: 'HS512', hash: 'sha512' }) }, 449);
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: token({ room: 'vault', exp: 1 }) }, 449);
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: token({ room: 'vault' }, { secret: 'not-the-secret-0123456789' }) }, 449);
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: 'x'.repeat(1 << 20) }, 449);
    const none = `${b64url({ alg: 'none', typ: 'JWT' })}.${b64url({ room: 'vault', exp: 4102444800 })}.`;
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: none }, 449);

    const rsa = `${b64url({ alg: 'RS256', typ: 'JWT' })}.${b64url({ room: 'vault', exp: 4102444800 })}`;
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: `${rsa}.${createHmac('sha256', TOKEN_SECRET).update(rsa).digest('base64url')}` }, 449);
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: token({ room: 'vault', nbf: Math.floor(Date.now() / 1000) + 120 }) }, 449);
    const flipped = token({ room: 'vault' });
    await refused(stranger, { request: 'join', room: 'vault', pin: '2468', token: flipped.slice(0, -2) + (flipped.at(-2) === 'A' ? 'B' : 'A') + flipped.at(-1) }, 449);

    // Every media request of the API needs a joined handle: refused with 445 before it reaches a worker.
    const everyMediaRequest = [
      { request: 'leave' },
      { request: 'setDisplay', display: 'x' },
      { request: 'createWebRtcTransport', direction: 'send' },
      { request: 'connectWebRtcTransport', transportId: 'x', dtlsParameters: { role: 'client', fingerprints: [] } },
      { request: 'restartIce', transportId: 'x' },
      { request: 'closeTransport', transportId: 'x' },
      { request: 'produce', transportId: 'x', kind: 'audio', rtpParameters: audio(1) },
      { request: 'pauseProducer', producerId: 'x' }, { request: 'resumeProducer', producerId: 'x' }, { request: 'closeProducer', producerId: 'x' },
      { request: 'consume', transportId: 'x', producerId: 'y', rtpCapabilities: {} },
      { request: 'resumeConsumer', consumerId: 'x' }, { request: 'pauseConsumer', consumerId: 'x' },
      { request: 'setPreferredLayers', consumerId: 'x', spatialLayer: 0 },
      { request: 'produceData', transportId: 'x', sctpStreamParameters: { streamId: 1 } },
      { request: 'consumeData', transportId: 'x', dataProducerId: 'y' },
      { request: 'getStats', transportId: 'x' },
      { request: 'createPlainTransport', direction: 'send' },
      { request: 'connectPlainTransport', transportId: 'x', ip: '127.0.0.1', port: 5004 },
    ];
    for (const body of everyMediaRequest) await refused(stranger, body, 445);
    assert.equal(await rooms(), 1);

    // A token that may only watch, and one that may speak.
    const joined = await guest.request({ request: 'join', room: 'vault', pin: '2468', display: 'mallory', token: token({ room: 'vault', display: 'Gina', publish: false }) });
    assert.equal(joined.mediasoup, 'joined');
    await refused(guest, { request: 'createWebRtcTransport', direction: 'send' }, 449);
    await refused(guest, { request: 'createPlainTransport', direction: 'send' }, 449);
    const guestRecv = await guest.request({ request: 'createWebRtcTransport', direction: 'recv' });
    assert.equal(guestRecv.mediasoup, 'transport');
    const speaker = await attachPeer(janus);
    const speakerJoined = await speaker.request({ request: 'join', room: 'vault', pin: '2468', token: token({ room: '*' }) });
    assert.equal(speakerJoined.mediasoup, 'joined');
    // The token's display name wins over the one the client asked for.
    const announced = await guest.waitEvent((e) => e.event === 'peerJoined' && e.peerId === speakerJoined.peerId);
    assert.ok(announced);
    assert.equal(speakerJoined.peers.find((p) => p.peerId === joined.peerId).display, 'Gina');
    // Nor can the client change it afterwards; a peer whose token names no display can.
    await refused(guest, { request: 'setDisplay', display: 'mallory' }, 449);
    assert.equal((await speaker.request({ request: 'setDisplay', display: 'Sam' })).mediasoup, 'success');
    await guest.waitEvent((e) => e.event === 'peerUpdated' && e.peerId === speakerJoined.peerId && e.display === 'Sam');
    const send = await speaker.request({ request: 'createWebRtcTransport', direction: 'send' });
    const produced = await speaker.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: audio(4242) });
    assert.equal(produced.mediasoup, 'produced');
    const consumed = await guest.request({ request: 'consume', transportId: guestRecv.id, producerId: produced.id, rtpCapabilities: joined.routerRtpCapabilities });
    assert.equal(consumed.mediasoup, 'consumer');
    // The speaker's token grants nothing to watch: it may publish, not consume.
    const listener = await attachPeer(janus);
    const listenerJoined = await listener.request({ request: 'join', room: 'vault', pin: '2468', token: token({ room: 'vault', subscribe: false }) });
    const listenerRecv = await listener.request({ request: 'createWebRtcTransport', direction: 'recv' });
    assert.equal(listenerRecv.mediasoup, 'transport');
    await refused(listener, { request: 'consume', transportId: listenerRecv.id, producerId: produced.id, rtpCapabilities: listenerJoined.routerRtpCapabilities }, 449);
    await refused(listener, { request: 'consumeData', transportId: listenerRecv.id, dataProducerId: 'any' }, 449);
    await listener.close();

    // Kick and destroy: refused without the secret, done with it.
    await refused(stranger, { request: 'kick', room: 'vault', peerId: joined.peerId }, 449);
    await refused(stranger, { request: 'kick', room: 'vault', peerId: joined.peerId, secret: 'guess' }, 449);
    await refused(stranger, { request: 'destroy', room: 'vault' }, 449);
    await refused(speaker, { request: 'destroy', room: 'vault', token: token({ room: 'vault' }) }, 449);  // no admin right
    assert.equal(await rooms(), 1);
    assert.equal((await stranger.request({ request: 'kick', room: 'vault', peerId: joined.peerId, secret: 'vault-secret' })).mediasoup, 'success');
    await guest.waitEvent((e) => e.event === 'kicked' && e.room === 'vault');
    await speaker.waitEvent((e) => e.event === 'peerLeft' && e.peerId === joined.peerId);
    await refused(guest, { request: 'leave' }, 445);
    assert.equal((await speaker.request({ request: 'destroy', room: 'vault', token: token({ room: 'vault', admin: true }) })).mediasoup, 'destroyed');
    await speaker.waitEvent((e) => e.event === 'roomClosed' && e.room === 'vault');
    assert.equal(await rooms(), 0);
    for (const peer of [stranger, owner, guest, speaker]) await peer.close();
  });

  it('a client whose requests the worker refuses cannot flood Janus\u2019s log', async () => {
    const peer = await attachPeer(janus);
    await peer.request({ request: 'create', room: 'noisy', admin_key: ADMIN_KEY });
    assert.equal((await peer.request({ request: 'join', room: 'noisy', token: token({ room: 'noisy' }) })).mediasoup, 'joined');
    const send = await peer.request({ request: 'createWebRtcTransport', direction: 'send' });
    assert.equal((await peer.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: audio(777) })).mediasoup, 'produced');
    // The same ssrc again and again: the worker refuses each (447 to the client, with its reason).
    for (let i = 0; i < 40; i++) {
      const again = await peer.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: { ...audio(777), mid: `m${i}` } });
      assert.equal(again.error_code, 447, JSON.stringify(again));
    }
    const errorLines = janus.log().split('\n').filter((line) => /\[ERR\]/.test(line) && /worker/.test(line));
    assert.deepEqual(errorLines, [], 'no worker error line for refused requests at Janus\u2019s default level');
    await peer.close();
  });

  it('stops a peer at max_transports_per_peer with 450, and its worker holds no more than that', async () => {
    const peer = await attachPeer(janus);
    const other = await attachPeer(janus);
    await peer.request({ request: 'create', room: 'limits', admin_key: ADMIN_KEY });
    assert.equal((await peer.request({ request: 'join', room: 'limits', token: token({ room: 'limits' }) })).mediasoup, 'joined');
    assert.equal((await other.request({ request: 'join', room: 'limits', token: token({ room: 'limits' }) })).mediasoup, 'joined');
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await peer.request({ request: 'createWebRtcTransport', direction: 'recv' }));
    assert.equal(answers.filter((a) => a.mediasoup === 'transport').length, 3);
    const limited = answers.filter((a) => a.error_code === 450);
    assert.equal(limited.length, 17);
    assert.match(limited[0].error, /max_transports_per_peer = 3/);
    // The other peer is not affected.
    assert.equal((await other.request({ request: 'createWebRtcTransport', direction: 'recv' })).mediasoup, 'transport');
    const metrics = await (await fetch(`${janus.statsUrl}/metrics`)).text();
    assert.match(metrics, /^janus_mediasoup_transports 4$/m);
    await peer.close();
    await other.close();
  });
});
