// Media signaling through Janus to real workers, without a browser: every error path leaves the
// room intact, and closes cascade with the events the api promises.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer } from './harness.mjs';

const SCTP = { numStreams: { OS: 1024, MIS: 1024 } };
const DTLS = { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: 'AB:'.repeat(31) + 'AB' }] };
// What a browser would send for VP8 (no media will actually flow: the worker only needs the parameters).
const vp8Parameters = (ssrc) => ({
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc, rtx: { ssrc: ssrc + 1 } }],
  rtcp: { cname: 'test' },
  mid: '0',
});

describe('media signaling', () => {
  let janus, ann, bob;
  let annJoin, bobJoin, annSend, annRecv, bobRecv, bobSend;

  before(async () => {
    janus = await startJanus({ workers: 2 });
    ann = await attachPeer(janus);
    bob = await attachPeer(janus);
  });
  after(async () => {
    await ann?.close();
    await bob?.close();
    await janus?.stop();
  });

  it('refuses media requests before join', async () => {
    const answer = await ann.request({ request: 'createWebRtcTransport', direction: 'send' });
    assert.equal(answer.error_code, 445);
    const consume = await ann.request({ request: 'consume', transportId: 'x', producerId: 'y', rtpCapabilities: {} });
    assert.equal(consume.error_code, 445);
  });

  it('joins with the router capabilities and creates transports on the room worker', async () => {
    annJoin = await ann.request({ request: 'join', room: 'media', display: 'Ann' });
    const codecs = annJoin.routerRtpCapabilities.codecs.map((c) => c.mimeType);
    for (const mime of ['audio/opus', 'video/VP8', 'video/VP9', 'video/H264', 'video/rtx']) assert.ok(codecs.includes(mime), mime);
    annSend = await ann.request({ request: 'createWebRtcTransport', direction: 'send', sctpCapabilities: SCTP });
    assert.equal(annSend.mediasoup, 'transport');
    assert.ok(annSend.iceParameters.usernameFragment);
    assert.ok(annSend.dtlsParameters.fingerprints.length > 0);
    assert.equal(annSend.sctpParameters.MIS, 1024);
    const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
    const w = workers.workers[annJoin.worker];
    for (const candidate of annSend.iceCandidates) {
      assert.equal(candidate.ip, '127.0.0.1');
      assert.ok(candidate.port >= w.rtcMinPort && candidate.port <= w.rtcMaxPort, `port ${candidate.port} in the worker's range`);
    }
    assert.deepEqual(new Set(annSend.iceCandidates.map((c) => c.protocol)), new Set(['udp', 'tcp']));
    annRecv = await ann.request({ request: 'createWebRtcTransport', direction: 'recv' });
    assert.equal(annRecv.sctpParameters, undefined, 'no SCTP unless asked for');
  });

  it('answers connect, restartIce and getStats for a transport', async () => {
    assert.deepEqual(await ann.request({ request: 'connectWebRtcTransport', transportId: annSend.id, dtlsParameters: DTLS }),
      { mediasoup: 'connected', transportId: annSend.id });
    const restarted = await ann.request({ request: 'restartIce', transportId: annSend.id });
    assert.equal(restarted.mediasoup, 'iceRestarted');
    assert.notEqual(restarted.iceParameters.usernameFragment, annSend.iceParameters.usernameFragment);
    const stats = await ann.request({ request: 'getStats', transportId: annSend.id });
    assert.equal(stats.mediasoup, 'stats');
    assert.equal(stats.stats[0].type, 'webrtc-transport');
    assert.equal(stats.stats[0].transportId, annSend.id);
  });

  it('produces, and the others hear of it and can consume it (paused until resumed)', async () => {
    bobJoin = await bob.request({ request: 'join', room: 'media', display: 'Bob' });
    bobRecv = await bob.request({ request: 'createWebRtcTransport', direction: 'recv', sctpCapabilities: SCTP });
    const produced = await ann.request({ request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters: vp8Parameters(1111), appData: { source: 'camera' } });
    assert.equal(produced.mediasoup, 'produced');
    const announced = await bob.waitEvent((e) => e.event === 'newProducer');
    assert.deepEqual(announced, { mediasoup: 'event', event: 'newProducer', peerId: annJoin.peerId, producerId: produced.id, kind: 'video', appData: { source: 'camera' } });

    const consumer = await bob.request({ request: 'consume', transportId: bobRecv.id, producerId: produced.id, rtpCapabilities: bobJoin.routerRtpCapabilities });
    assert.equal(consumer.mediasoup, 'consumer');
    assert.equal(consumer.producerId, produced.id);
    assert.equal(consumer.kind, 'video');
    assert.equal(consumer.type, 'simple');
    assert.equal(consumer.producerPaused, false);
    assert.equal(consumer.rtpParameters.codecs[0].mimeType, 'video/VP8');
    assert.equal(consumer.rtpParameters.encodings.length, 1);
    const consumerStats = await bob.request({ request: 'getStats', consumerId: consumer.id });
    assert.equal(consumerStats.mediasoup, 'stats');
    assert.deepEqual(await bob.request({ request: 'resumeConsumer', consumerId: consumer.id }), { mediasoup: 'success' });
    assert.deepEqual(await bob.request({ request: 'setPreferredLayers', consumerId: consumer.id, spatialLayer: 0, temporalLayer: 0 }), { mediasoup: 'success' });

    // Pausing the producer: the others hear it, and the consumer's peer hears its consumer paused.
    assert.deepEqual(await ann.request({ request: 'pauseProducer', producerId: produced.id }), { mediasoup: 'success' });
    await bob.waitEvent((e) => e.event === 'producerPaused' && e.producerId === produced.id);
    await bob.waitEvent((e) => e.event === 'consumerPaused' && e.consumerId === consumer.id);
    await ann.request({ request: 'resumeProducer', producerId: produced.id });
    await bob.waitEvent((e) => e.event === 'consumerResumed' && e.consumerId === consumer.id);

    // A peer joining later sees the producer in the join answer.
    const carol = await attachPeer(janus);
    const carolJoin = await carol.request({ request: 'join', room: 'media', display: 'Carol' });
    const annSeen = carolJoin.peers.find((p) => p.peerId === annJoin.peerId);
    assert.deepEqual(annSeen.producers, [{ id: produced.id, kind: 'video', appData: { source: 'camera' } }]);
    await carol.close();

    // Closing it closes bob's consumer, once.
    assert.deepEqual(await ann.request({ request: 'closeProducer', producerId: produced.id }), { mediasoup: 'success' });
    await bob.waitEvent((e) => e.event === 'producerClosed' && e.producerId === produced.id);
    const closed = await bob.waitEvent((e) => e.event === 'consumerClosed');
    assert.deepEqual(closed, { mediasoup: 'event', event: 'consumerClosed', consumerId: consumer.id, producerId: produced.id });
    await new Promise((r) => setTimeout(r, 300));
    assert.equal(bob.events.filter((e) => e.event === 'consumerClosed').length, 1, 'announced once');
    assert.equal((await bob.request({ request: 'resumeConsumer', consumerId: consumer.id })).error_code, 446);
  });

  it('carries data producers to data consumers and closes them in cascade', async () => {
    const dataProduced = await ann.request({
      request: 'produceData', transportId: annSend.id, sctpStreamParameters: { streamId: 0, ordered: true }, label: 'chat', protocol: 'text',
    });
    assert.equal(dataProduced.mediasoup, 'dataProduced');
    const announced = await bob.waitEvent((e) => e.event === 'newDataProducer');
    assert.deepEqual(announced, { mediasoup: 'event', event: 'newDataProducer', peerId: annJoin.peerId, dataProducerId: dataProduced.id, label: 'chat', protocol: 'text', appData: {} });
    const dataConsumer = await bob.request({ request: 'consumeData', transportId: bobRecv.id, dataProducerId: dataProduced.id });
    assert.equal(dataConsumer.mediasoup, 'dataConsumer');
    assert.equal(dataConsumer.label, 'chat');
    assert.equal(dataConsumer.protocol, 'text');
    assert.equal(typeof dataConsumer.sctpStreamParameters.streamId, 'number');
    // Ann closes her send transport: her data producer goes, and so does bob's data consumer.
    assert.deepEqual(await ann.request({ request: 'closeTransport', transportId: annSend.id }), { mediasoup: 'success' });
    await bob.waitEvent((e) => e.event === 'dataProducerClosed' && e.dataProducerId === dataProduced.id);
    await bob.waitEvent((e) => e.event === 'dataConsumerClosed' && e.dataConsumerId === dataConsumer.id);
    assert.equal((await ann.request({ request: 'getStats', transportId: annSend.id })).error_code, 446);
  });

  it('rejects bad signaling with clear errors and leaves the room intact', async () => {
    annSend = await ann.request({ request: 'createWebRtcTransport', direction: 'send' });
    const before = await ann.request({ request: 'list' });
    const cases = [
      [ann, { request: 'connectWebRtcTransport', transportId: 'no-such-transport', dtlsParameters: DTLS }, 446],
      [ann, { request: 'connectWebRtcTransport', transportId: annSend.id, dtlsParameters: { fingerprints: [] } }, 447],
      [ann, { request: 'connectWebRtcTransport', transportId: annSend.id, dtlsParameters: { role: 'boss', fingerprints: DTLS.fingerprints } }, 447],
      [ann, { request: 'connectWebRtcTransport', transportId: annSend.id }, 441],
      [ann, { request: 'produce', transportId: annRecv.id, kind: 'video', rtpParameters: vp8Parameters(2222) }, 440],
      [ann, { request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters: { codecs: 'VP8' } }, 447],
      [ann, { request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters: { codecs: [{ mimeType: 'video/AV2', payloadType: 96, clockRate: 90000 }] } }, 447],
      [ann, { request: 'produce', transportId: annSend.id, kind: 'audio', rtpParameters: vp8Parameters(3333), appData: 'x' }, 440],
      [ann, { request: 'produceData', transportId: annSend.id, sctpStreamParameters: { streamId: 1 } }, 447],
      [ann, { request: 'consume', transportId: annSend.id, producerId: 'p', rtpCapabilities: {} }, 440],
      [ann, { request: 'consume', transportId: annRecv.id, producerId: 'no-such-producer', rtpCapabilities: annJoin.routerRtpCapabilities }, 446],
      [bob, { request: 'connectWebRtcTransport', transportId: annSend.id, dtlsParameters: DTLS }, 446],  // ann's, not bob's
      [bob, { request: 'closeTransport', transportId: annRecv.id }, 446],
      [ann, { request: 'pauseProducer', producerId: 'nope' }, 446],
      [ann, { request: 'setPreferredLayers', consumerId: 'nope', spatialLayer: 1 }, 446],
      [ann, { request: 'getStats', dataConsumerId: 'nope' }, 446],
      [ann, { request: 'getStats' }, 441],
      [ann, { request: 'createWebRtcTransport', direction: 'send', sctpCapabilities: { numStreams: { OS: 'many' } } }, 447],
      [ann, { request: 'restartIce' }, 441],
    ];
    for (const [peer, body, code] of cases) {
      const answer = await peer.request(body);
      assert.equal(answer.error_code, code, `${JSON.stringify(body).slice(0, 120)} → ${JSON.stringify(answer)}`);
      assert.equal(answer.mediasoup, 'event');
      assert.ok(answer.error.length > 5);
    }
    assert.deepEqual(await ann.request({ request: 'list' }), before);
    // The transports still work.
    const produced = await ann.request({ request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters: vp8Parameters(4444) });
    assert.equal(produced.mediasoup, 'produced');
  });

  it('never lets hostile parameters take the worker down', async () => {
    const { body: before } = await getJson(`${janus.statsUrl}/workers`);
    const base = vp8Parameters(7000);
    const hostile = [
      { ...base, codecs: [{ ...base.codecs[0], payloadType: 300 }], encodings: [{ ssrc: 7100 }] },
      { ...base, codecs: [{ ...base.codecs[0], payloadType: -1 }] },
      { ...base, codecs: [{ ...base.codecs[0], clockRate: 1e30 }] },
      { ...base, encodings: [{ ssrc: -1 }] },
      { ...base, encodings: [{ ssrc: 7200 }, { ssrc: 7200 }] },
      { ...base, encodings: [{ rid: 'a' }, { rid: 'a' }], mid: undefined },
      { ...base, encodings: [{ ssrc: 7300, scalabilityMode: 'L9T9' }] },
      { ...base, headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 0 }] },
      { ...base, mid: '' },
      { ...base, encodings: Array.from({ length: 40 }, (_, i) => ({ ssrc: 8000 + i })) },
      { codecs: [], encodings: [{ ssrc: 5 }] },
    ];
    for (const rtpParameters of hostile) {
      const answer = await ann.request({ request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters });
      assert.ok(answer.mediasoup === 'produced' || answer.error_code === 447, JSON.stringify(answer));
    }
    // Out of range for the wire: refused before the worker sees them (it would truncate them).
    const outOfRange = await ann.request({ request: 'produce', transportId: annSend.id, kind: 'video', rtpParameters: hostile[0] });
    assert.equal(outOfRange.error_code, 447);
    assert.match(outOfRange.error, /payloadType/);
    const data = await ann.request({ request: 'createWebRtcTransport', direction: 'send', sctpCapabilities: SCTP });
    for (const sctpStreamParameters of [{ streamId: -1 }, { streamId: 70000 }, { streamId: 1, maxPacketLifeTime: -5 }]) {
      const answer = await ann.request({ request: 'produceData', transportId: data.id, sctpStreamParameters });
      assert.equal(answer.error_code, 447, JSON.stringify(answer));
    }
    const { body: after } = await getJson(`${janus.statsUrl}/workers`);
    assert.deepEqual(after.workers.map((w) => [w.pid, w.restarts, w.closed]), before.workers.map((w) => [w.pid, w.restarts, w.closed]));
    assert.equal((await ann.request({ request: 'exists', room: 'media' })).exists, true);
  });

  it('closes a leaving peer\u2019s media and tells the others', async () => {
    bobSend = await bob.request({ request: 'createWebRtcTransport', direction: 'send' });
    const bobsProducer = await bob.request({ request: 'produce', transportId: bobSend.id, kind: 'video', rtpParameters: vp8Parameters(5555) });
    await ann.waitEvent((e) => e.event === 'newProducer' && e.producerId === bobsProducer.id);
    const annConsumer = await ann.request({ request: 'consume', transportId: annRecv.id, producerId: bobsProducer.id, rtpCapabilities: annJoin.routerRtpCapabilities });
    assert.deepEqual(await bob.request({ request: 'leave' }), { mediasoup: 'left', room: 'media' });
    await ann.waitEvent((e) => e.event === 'producerClosed' && e.producerId === bobsProducer.id);
    await ann.waitEvent((e) => e.event === 'consumerClosed' && e.consumerId === annConsumer.id);
    await ann.waitEvent((e) => e.event === 'peerLeft' && e.peerId === bobJoin.peerId);
    assert.equal((await bob.request({ request: 'getStats', transportId: bobSend.id })).error_code, 445);
  });
});
