// Plain RTP/SRTP transports. A Python endpoint (rtp_peer.py: real UDP sockets, libsrtp through Debian's
// python3-pylibsrtp) sends RTP into a plain send transport of a room; another receives what a plain consumer of
// that producer forwards, and checks SSRC, payload type and, for SRTP, that it decrypts with the announced key.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { readdirSync } from 'node:fs';
import { startJanus, getJson, attachPeer, UNLIMITED_PEERS } from './harness.mjs';
import { rtpPeer } from './rtp_peer.mjs';

const SUITES = { AES_CM_128_HMAC_SHA1_80: 30, AES_CM_128_HMAC_SHA1_32: 30, AEAD_AES_128_GCM: 28, AEAD_AES_256_GCM: 44 };
const PACKETS = 60;

const opusParameters = (ssrc) => ({
  codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  encodings: [{ ssrc }], rtcp: { cname: 'encoder', reducedSize: true },
});
// What a plain receiver (a recorder) can take: Opus, no RTCP feedback.
const receiverCapabilities = {
  codecs: [{ kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [],
};
const key = (suite) => randomBytes(SUITES[suite]).toString('base64');

async function joined(janus, room) {
  const peer = await attachPeer(janus);
  peer.joined = await peer.request({ request: 'join', room });
  assert.equal(peer.joined.mediasoup, 'joined', JSON.stringify(peer.joined));
  return peer;
}

// An encoder's stream in, a recorder's stream out: sender → plain send transport → producer → consumer on a
// plain recv transport → receiver. Returns what the receiver saw and the consumer's answer.
async function ingestAndForward(janus, { room, sendOptions = {}, recvOptions = {}, sender = {}, receiverKey, peers }) {
  const [encoder, recorder] = peers ?? [await joined(janus, room), await joined(janus, room)];
  const srtp = sendOptions.enableSrtp ? (sendOptions.srtpCryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80') : null;
  const recvSuite = recvOptions.enableSrtp ? (recvOptions.srtpCryptoSuite ?? 'AES_CM_128_HMAC_SHA1_80') : null;

  const send = await encoder.request({ request: 'createPlainTransport', direction: 'send', ...sendOptions });
  assert.equal(send.mediasoup, 'plainTransport', JSON.stringify(send));
  const senderKey = srtp ? key(srtp) : null;
  const comedia = sendOptions.comedia ?? false;
  // A non-comedia transport sends to and accepts from exactly the address it is told: the sender binds it.
  const senderPort = comedia ? 0 : 40000 + Math.floor(Math.random() * 20000);
  const connectSend = { request: 'connectPlainTransport', transportId: send.id };
  if (!comedia) Object.assign(connectSend, { ip: '127.0.0.1', port: senderPort });
  if (!comedia && sendOptions.rtcpMux === false) connectSend.rtcpPort = senderPort + 1;
  if (srtp) connectSend.srtpParameters = { cryptoSuite: srtp, keyBase64: senderKey };
  const sendConnected = await encoder.request(connectSend);
  assert.equal(sendConnected.mediasoup, 'connected', JSON.stringify(sendConnected));
  const ssrc = sender.ssrc ?? 12345678;
  const producer = await encoder.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: opusParameters(ssrc) });
  assert.equal(producer.mediasoup, 'produced', JSON.stringify(producer));

  const recv = await recorder.request({ request: 'createPlainTransport', direction: 'recv', ...recvOptions });
  assert.equal(recv.mediasoup, 'plainTransport', JSON.stringify(recv));
  const recvConnect = { request: 'connectPlainTransport', transportId: recv.id };
  let decryptKey = null;
  if (recvSuite) {
    recvConnect.srtpParameters = { cryptoSuite: recvSuite, keyBase64: key(recvSuite) };
    decryptKey = recv.srtpParameters.keyBase64;
  }
  const receiver = rtpPeer(['recv', '--count', String(PACKETS), '--timeout', receiverKey ? '2' : '6',
    ...(recvSuite ? ['--srtp', `${recvSuite}:${receiverKey ?? decryptKey}`] : [])]);
  const receiverPort = await receiver.port;
  Object.assign(recvConnect, { ip: '127.0.0.1', port: receiverPort });
  if (recvOptions.rtcpMux === false) recvConnect.rtcpPort = receiverPort;  // RTCP too: the receiver skips it
  const recvConnected = await recorder.request(recvConnect);
  assert.equal(recvConnected.mediasoup, 'connected', JSON.stringify(recvConnected));
  if (recvSuite) assert.equal(recvConnected.srtpParameters.keyBase64, decryptKey, 'the same suite keeps the announced key');
  const consumer = await recorder.request({ request: 'consume', transportId: recv.id, producerId: producer.id, rtpCapabilities: receiverCapabilities });
  assert.equal(consumer.mediasoup, 'consumer', JSON.stringify(consumer));
  assert.equal((await recorder.request({ request: 'resumeConsumer', consumerId: consumer.id })).mediasoup, 'success');

  const senderRun = rtpPeer(['send', '--to', `${send.ip}:${send.port}`, '--ssrc', String(ssrc), '--pt', '100',
    '--count', String(PACKETS), '--bind', String(senderPort), ...(srtp ? ['--srtp', `${srtp}:${senderKey}`] : [])]);
  await senderRun.result;
  const seen = await receiver.result;
  return { seen, consumer, send, recv, encoder, recorder, producer };
}

describe('plain RTP transports', () => {
  let janus;
  before(async () => { janus = await startJanus({ workers: 2, jcfg: UNLIMITED_PEERS }); });  // one recorder holds 1,000 transports
  after(async () => { await janus.stop(); });

  it('comedia ingest: an encoder\u2019s RTP reaches a plain consumer\u2019s socket with the consumer\u2019s SSRC and payload type', async () => {
    const { seen, consumer, send, recv, encoder, recorder } = await ingestAndForward(janus, { room: 'plain-comedia', sendOptions: { comedia: true } });
    const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
    const worker = workers.workers[encoder.joined.worker];
    for (const t of [send, recv]) {
      assert.equal(t.ip, '127.0.0.1');
      assert.ok(t.port >= worker.rtcMinPort + 1 && t.port <= worker.rtcMaxPort, `port ${t.port} from the worker's range, not its WebRtcServer's`);
      assert.equal(t.rtcpPort, undefined, 'rtcp-mux by default');
      assert.equal(t.srtpParameters, undefined);
    }
    assert.ok(seen.rtp >= PACKETS - 2, JSON.stringify(seen));
    assert.deepEqual(seen.ssrcs, [consumer.rtpParameters.encodings[0].ssrc]);
    assert.deepEqual(seen.payloadTypes, [consumer.rtpParameters.codecs[0].payloadType]);
    assert.equal(seen.distinctSequenceNumbers, seen.rtp);
    await encoder.close();
    await recorder.close();
  });

  it('without comedia and without rtcp-mux: each side names its RTP and RTCP ports', async () => {
    const { seen, consumer, send, recv, encoder, recorder } = await ingestAndForward(janus, {
      room: 'plain-explicit', sendOptions: { comedia: false, rtcpMux: false }, recvOptions: { rtcpMux: false },
    });
    for (const t of [send, recv]) assert.ok(Number.isInteger(t.rtcpPort) && t.rtcpPort !== t.port, JSON.stringify(t));
    assert.ok(seen.rtp >= PACKETS - 2, JSON.stringify(seen));
    assert.deepEqual(seen.ssrcs, [consumer.rtpParameters.encodings[0].ssrc]);
    await encoder.close();
    await recorder.close();
  });

  for (const suite of Object.keys(SUITES)) {
    it(`SRTP ${suite} on both legs: in with the encoder\u2019s key, out decrypting with the announced key`, async () => {
      const options = { enableSrtp: true, srtpCryptoSuite: suite };
      const { seen, consumer, send, recv, encoder, recorder } = await ingestAndForward(janus, {
        room: `plain-${suite}`, sendOptions: { comedia: true, ...options }, recvOptions: options,
      });
      for (const t of [send, recv]) {
        assert.equal(t.srtpParameters.cryptoSuite, suite);
        assert.equal(Buffer.from(t.srtpParameters.keyBase64, 'base64').length, SUITES[suite]);
      }
      assert.notEqual(send.srtpParameters.keyBase64, recv.srtpParameters.keyBase64, 'a key per transport');
      assert.ok(seen.rtp >= PACKETS - 2, JSON.stringify(seen));
      assert.equal(seen.undecryptable, 0);
      assert.deepEqual(seen.ssrcs, [consumer.rtpParameters.encodings[0].ssrc]);
      await encoder.close();
      await recorder.close();
    });
  }

  it('SRTP out with a wrong key does not decrypt (the check above can fail)', async () => {
    const options = { enableSrtp: true };
    const { seen, encoder, recorder } = await ingestAndForward(janus, {
      room: 'plain-wrong-key', sendOptions: { comedia: true }, recvOptions: options, receiverKey: key('AES_CM_128_HMAC_SHA1_80'),
    });
    assert.equal(seen.rtp, 0, JSON.stringify(seen));
    assert.ok(seen.undecryptable >= PACKETS - 2, JSON.stringify(seen));
    await encoder.close();
    await recorder.close();
  });

  it('an encoder on one worker reaches a recorder on another through the room\u2019s pipes', async () => {
    const wide = await startJanus({ workers: 2, jcfg: 'max_peers_per_router = 1\nrtc_port_base = 30000' });  // beside the suite's Janus
    try {
      const encoder = await joined(wide, 'plain-wide');
      const recorder = await joined(wide, 'plain-wide');
      assert.notEqual(encoder.joined.worker, recorder.joined.worker);
      const { seen, consumer } = await ingestAndForward(wide, { sendOptions: { comedia: true }, peers: [encoder, recorder] });
      assert.ok(seen.rtp >= PACKETS - 2, JSON.stringify(seen));
      assert.deepEqual(seen.ssrcs, [consumer.rtpParameters.encodings[0].ssrc]);
      await encoder.close();
      await recorder.close();
    } finally {
      await wide.stop();
    }
  });

  it('announces ANNOUNCED_IP while it listens on listen_ip', async () => {
    const announced = await startJanus({ workers: 1, env: { ANNOUNCED_IP: '192.0.2.10' }, jcfg: 'rtc_port_base = 31000' });
    try {
      const peer = await joined(announced, 'plain-announced');
      const t = await peer.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
      assert.equal(t.ip, '192.0.2.10', JSON.stringify(t));
      assert.ok(t.port >= 31001 && t.port <= 31999, JSON.stringify(t));
      await peer.close();
    } finally {
      await announced.stop();
    }
  });

  it('with plain_allowed_remotes set, sends media only there: 449 elsewhere and for comedia recv transports', async () => {
    const guarded = await startJanus({ workers: 1, jcfg: 'rtc_port_base = 32000\nplain_allowed_remotes = "127.0.0.0/8, ::1/128"' });
    try {
      const peer = await joined(guarded, 'plain-guarded');
      const t = await peer.request({ request: 'createPlainTransport', direction: 'recv' });
      const outside = await peer.request({ request: 'connectPlainTransport', transportId: t.id, ip: '192.0.2.1', port: 5004 });
      assert.equal(outside.error_code, 449, JSON.stringify(outside));
      assert.match(outside.error, /plain_allowed_remotes/);
      const comediaRecv = await peer.request({ request: 'createPlainTransport', direction: 'recv', comedia: true });
      assert.equal(comediaRecv.error_code, 449, JSON.stringify(comediaRecv));
      assert.equal((await peer.request({ request: 'createPlainTransport', direction: 'send', comedia: true })).mediasoup, 'plainTransport');
      // Nothing changed: the same transport still connects, inside the list.
      assert.equal((await peer.request({ request: 'connectPlainTransport', transportId: t.id, ip: '127.0.0.1', port: 5004 })).mediasoup, 'connected');
      await peer.close();
    } finally {
      await guarded.stop();
    }
  });

  it('1,000 plain transports with consumers made and closed leave the worker’s sockets and the room as they were', async () => {
    const encoder = await joined(janus, 'plain-churn');
    const recorder = await joined(janus, 'plain-churn');
    const send = await encoder.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const producer = await encoder.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: opusParameters(4242) });
    const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
    const pid = workers.workers[recorder.joined.worker].pid;
    const fds = () => readdirSync(`/proc/${pid}/fd`).length;
    const before = fds();
    let next = 0;
    await Promise.all(Array.from({ length: 8 }, async () => {
      while (next < 1000) {
        const i = next++;
        const t = await recorder.request({ request: 'createPlainTransport', direction: 'recv', rtcpMux: i % 2 === 0, enableSrtp: i % 3 === 0 });
        assert.equal(t.mediasoup, 'plainTransport', JSON.stringify(t));
        const connect = { request: 'connectPlainTransport', transportId: t.id, ip: '127.0.0.1', port: 9 };
        if (i % 2) connect.rtcpPort = 9;
        if (i % 3 === 0) connect.srtpParameters = { cryptoSuite: 'AES_CM_128_HMAC_SHA1_80', keyBase64: key('AES_CM_128_HMAC_SHA1_80') };
        assert.equal((await recorder.request(connect)).mediasoup, 'connected');
        const c = await recorder.request({ request: 'consume', transportId: t.id, producerId: producer.id, rtpCapabilities: receiverCapabilities });
        assert.equal(c.mediasoup, 'consumer', JSON.stringify(c));
        assert.equal((await recorder.request({ request: 'closeTransport', transportId: t.id })).mediasoup, 'success');
      }
    }));
    assert.equal(fds(), before, 'the worker holds no socket of a closed transport');
    const { body: after } = await getJson(`${janus.statsUrl}/workers`);
    assert.equal(after.workers[recorder.joined.worker].pid, pid);
    assert.equal((await recorder.request({ request: 'list' })).list.find((r) => r.room === 'plain-churn').peers, 2);
    await encoder.close();
    await recorder.close();
  });

  it('bad ip, port, keys and suites get 440/441/447 and change nothing', async () => {
    const peer = await joined(janus, 'plain-bad');
    const before = (await getJson(`${janus.statsUrl}/stats`)).body;
    const ask = (body) => peer.request(body);
    const expectCode = async (body, code, pattern) => {
      const a = await ask(body);
      assert.equal(a.error_code, code, `${JSON.stringify(body)} → ${JSON.stringify(a)}`);
      if (pattern) assert.match(a.error, pattern);
    };
    await expectCode({ request: 'createPlainTransport' }, 441, /direction/);
    await expectCode({ request: 'createPlainTransport', direction: 'send', srtpCryptoSuite: 'AES_256_CM_NULL' }, 440, /srtpCryptoSuite/);
    await expectCode({ request: 'createPlainTransport', direction: 'send', rtcpMux: 'no' }, 440, /rtcpMux/);

    const plain = await ask({ request: 'createPlainTransport', direction: 'recv', enableSrtp: true });
    const comedia = await ask({ request: 'createPlainTransport', direction: 'send', comedia: true });
    const suite = 'AES_CM_128_HMAC_SHA1_80';
    const good = { cryptoSuite: suite, keyBase64: key(suite) };
    const connect = (fields) => ({ request: 'connectPlainTransport', transportId: plain.id, ...fields });
    await expectCode(connect({ ip: 'not-an-ip', port: 5000, srtpParameters: good }), 440, /ip/);
    await expectCode(connect({ ip: '999.1.1.1', port: 5000, srtpParameters: good }), 440, /ip/);
    await expectCode(connect({ ip: '127.0.0.1', port: 0, srtpParameters: good }), 440, /port/);
    await expectCode(connect({ ip: '127.0.0.1', port: 65536, srtpParameters: good }), 440, /port/);
    await expectCode(connect({ ip: '127.0.0.1', srtpParameters: good }), 441, /port/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000 }), 441, /srtpParameters/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, rtcpPort: 5001, srtpParameters: good }), 440, /rtcpPort/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'F8_128_HMAC_SHA1_80', keyBase64: good.keyBase64 } }), 440, /cryptoSuite/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: suite, keyBase64: 'c2hvcnQ=' } }), 447, /30 bytes/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: suite, keyBase64: '!!!!' } }), 440, /base64/);
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: { cryptoSuite: 'AEAD_AES_256_GCM', keyBase64: good.keyBase64 } }), 447, /44 bytes/);
    await expectCode({ request: 'connectPlainTransport', transportId: comedia.id, ip: '127.0.0.1', port: 5000 }, 440, /comedia/);
    await expectCode({ request: 'connectPlainTransport', transportId: comedia.id, srtpParameters: good }, 440, /SRTP is off/);
    await expectCode({ request: 'connectWebRtcTransport', transportId: plain.id, dtlsParameters: { fingerprints: [{ algorithm: 'sha-256', value: 'AA' }] } }, 440, /WebRTC/);
    await expectCode({ request: 'restartIce', transportId: plain.id }, 440, /WebRTC/);
    await expectCode({ request: 'produce', transportId: comedia.id, kind: 'audio', rtpParameters: { codecs: [{ mimeType: 'audio/opus', payloadType: 300, clockRate: 48000 }], encodings: [{ ssrc: 1 }] } }, 447);
    await expectCode({ request: 'connectPlainTransport', transportId: 'nope', ip: '127.0.0.1', port: 5000 }, 446);

    // Nothing changed: the transports still connect once, and the worker and room are as they were.
    assert.equal((await ask(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: good }))).mediasoup, 'connected');
    assert.equal((await ask({ request: 'connectPlainTransport', transportId: comedia.id })).mediasoup, 'connected');
    await expectCode(connect({ ip: '127.0.0.1', port: 5000, srtpParameters: good }), 447, /already called/);
    const afterwards = (await getJson(`${janus.statsUrl}/stats`)).body;
    assert.deepEqual(afterwards.workers.map((w) => [w.pid, w.closed]), before.workers.map((w) => [w.pid, w.closed]));
    assert.equal((await ask({ request: 'list' })).list.find((r) => r.room === 'plain-bad').peers, 1);
    await peer.close();
  });
});
