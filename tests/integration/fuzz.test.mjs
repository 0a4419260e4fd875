// No message can hurt the plugin. Seeded, reproducible fuzzing of every request of api.md through a
// real Janus with real workers: wrong types, missing fields, huge strings and numbers, deep nesting, control
// characters, ids of other peers, rooms and sessions, out-of-order flows, hostile RTP/SCTP/DTLS parameters,
// hostile SDP (real offers truncated, spliced, with absurd numbers or a thousand m-lines), handles detached mid-flow. Every answer must be an error object or a valid answer; afterwards no worker
// died, Janus runs, no room is left and Janus holds no extra fds.
// FUZZ_SEED=<n> and FUZZ_MESSAGES=<n> reproduce or extend a run.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, janusApi, waitFor, seededRandom } from './harness.mjs';

const SEED = Number(process.env.FUZZ_SEED ?? 20261202);
const MESSAGES = Number(process.env.FUZZ_MESSAGES ?? 10000);
const HANDLES = 8;


const REQUESTS = ['create', 'destroy', 'exists', 'list', 'join', 'kick', 'leave', 'setDisplay', 'createWebRtcTransport', 'connectWebRtcTransport',
  'restartIce', 'closeTransport', 'produce', 'pauseProducer', 'resumeProducer', 'closeProducer', 'consume', 'resumeConsumer',
  'pauseConsumer', 'setPreferredLayers', 'produceData', 'consumeData', 'getStats', 'createPlainTransport', 'connectPlainTransport',
  'publishSdp', 'subscribeSdp', 'sdpAnswer', 'unpublishSdp', 'unsubscribeSdp'];
const ANSWERS = new Set(['created', 'destroyed', 'success', 'joined', 'left', 'transport', 'plainTransport', 'connected', 'iceRestarted', 'produced',
  'consumer', 'dataProduced', 'dataConsumer', 'stats', 'sdpAnswer', 'sdpOffer']);
// Real offers (tests/unit/sdp/), the fuzzer's raw material for SDP.
const OFFERS = ['chromium-publish.sdp', 'chromium-simulcast-janusjs.sdp', 'aiortc-publish.sdp', 'firefox-publish.sdp', 'safari-publish.sdp',
  'obs-whip.sdp', 'gstreamer-webrtcbin.sdp'].map((name) => readFileSync(new URL(`../unit/sdp/${name}`, import.meta.url), 'utf8'));

const opus = { mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: { minptime: 10, useinbandfec: 1 }, rtcpFeedback: [{ type: 'transport-cc' }] };
const vp8 = { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, parameters: {}, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }, { type: 'goog-remb' }] };
const rtx = { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 }, rtcpFeedback: [] };

function makeFuzzer(random) {
  const int = (n) => Math.floor(random() * n);
  const pick = (list) => list[int(list.length)];
  const chance = (p) => random() < p;
  const hugeString = () => 'x'.repeat(pick([1000, 70000, 200000]));
  const controlString = () => `a\u0000b\u0001\u001f\n\t\u007f${String.fromCharCode(0xd7ff)}\u202e`;
  const deep = () => {
    let v = pick([{}, [], 'leaf', 1]);
    for (let i = 0, depth = pick([10, 200, 1500]); i < depth; i++) v = chance(0.5) ? [v] : { k: v };
    return v;
  };
  const hostile = () => pick([
    null, true, false, 0, -1, 1.5, 2 ** 53, -(2 ** 63), 1e308, -1e308, '', ' ', hugeString(), controlString(), deep(),
    [], {}, [1, 'a', null], { $: 1 }, 'send', 'recv', 'audio', 'video', '../../etc/passwd', '%s%s%n', '💥'.repeat(50),
  ]);
  const rtpParameters = (kind, ssrc) => {
    const valid = kind === 'audio'
      ? { mid: String(int(10)), codecs: [opus], headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} }],
          encodings: [{ ssrc, dtx: false }], rtcp: { cname: 'fuzz', reducedSize: true } }
      : { mid: String(int(10)), codecs: [vp8, rtx], headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1, encrypt: false, parameters: {} }],
          encodings: [{ ssrc, rtx: { ssrc: ssrc + 1 } }], rtcp: { cname: 'fuzz', reducedSize: true } };
    if (chance(0.6)) return valid;
    const bad = structuredClone(valid);
    switch (int(10)) {
      case 0: bad.codecs[0].payloadType = pick([300, -1, 1e9, 'x']); break;
      case 1: bad.encodings[0].ssrc = pick([2 ** 40, -5, 'ssrc', null]); break;
      case 2: bad.headerExtensions[0].id = pick([0, 15, 300, -1]); break;
      case 3: bad.codecs = pick([[], [{}], [{ mimeType: 'video/NOPE', payloadType: 100, clockRate: 90000 }], 'codecs']); break;
      case 4: bad.codecs[0].clockRate = pick([0, -1, 1e308, 'x']); break;
      case 5: bad.encodings = pick([[], Array.from({ length: 50 }, (_, i) => ({ rid: `r${i}`, scalabilityMode: 'L9T9' })), [{ rid: hugeString() }]]); break;
      case 6: bad.rtcp.cname = pick([hugeString(), controlString(), 7]); break;
      case 7: bad.codecs[0].parameters = { apt: pick([96, -1, 'x', deep()]), 'profile-level-id': pick(['zzzzzz', '42e01f', '']) }; break;
      case 8: delete bad[pick(['codecs', 'encodings', 'rtcp', 'headerExtensions', 'mid'])]; break;
      default: bad.codecs[0].rtcpFeedback = pick([[{ type: hugeString() }], 'fb', [null]]); break;
    }
    return bad;
  };
  const dtls = () => pick([
    { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: Array.from({ length: 32 }, () => int(256).toString(16).padStart(2, '0')).join(':') }] },
    { role: 'server', fingerprints: [{ algorithm: 'sha-256', value: 'AB' }] },
    { role: pick(['auto', 'both', 7]), fingerprints: [{ algorithm: pick(['sha-1', 'md5', 'nope', '']), value: hugeString() }] },
    { fingerprints: [] }, { fingerprints: 'x' }, {}, hostile(),
  ]);
  const sctp = () => pick([
    { streamId: int(1024), ordered: true },
    { streamId: int(1024), ordered: false, maxPacketLifeTime: int(5000) },
    { streamId: pick([65535, 70000, -1, 1e9, 'x']), ordered: true },
    { streamId: 1, ordered: false, maxPacketLifeTime: 100, maxRetransmits: 3 },
    { streamId: 1, ordered: 'yes' }, {}, hostile(),
  ]);
  // A real offer, whole or mangled.
  const sdp = () => {
    if (chance(0.05)) return hostile();
    const text = pick(OFFERS);
    const at = int(text.length);
    switch (int(7)) {
      case 0: return text;
      case 1: return text.slice(0, at);
      case 2: return text.slice(0, at) + pick(['\u0001', '\u00ff', 'a=', '\r\n', 'm=video 70000 X 1\r\n', '9'.repeat(30), '\r\nv=0\r\n']) + text.slice(at);
      case 3: return text.replace(/\d+/g, (d) => (chance(0.1) ? pick(['0', '4294967296', '-1', '99999999999999999999', '']) : d));
      case 4: return text + 'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:x\r\na=sendonly\r\n'.repeat(pick([1, 70]));
      case 5: return text.replace(/a=mid:(\S+)/g, () => `a=mid:${pick(['0', '1', '', hugeString().slice(0, 300)])}`);
      default: return text.split('\r\n').filter(() => chance(0.8)).join('\r\n');
    }
  };
  return { int, pick, chance, hostile, rtpParameters, dtls, sctp, sdp, hugeString, controlString, deep };
}

describe('fuzzing every request through Janus', () => {
  it(`${MESSAGES} seeded messages (seed ${SEED}): every answer valid or an error object; nothing dies or leaks`, async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      // One generator per handle: a handle's messages depend only on the seed and on the ids it has seen.
      const fuzzers = Array.from({ length: HANDLES }, (_, slot) => makeFuzzer(seededRandom(SEED + slot)));
      const session = await janusApi.createSession(janus);
      const otherSession = await janusApi.createSession(janus);
      for (let i = 0; i < 10; i++) await janusApi.detach(janus, session, await janusApi.attach(janus, session));
      await sleep(200);
      const fdBaseline = janus.fdCount();
      const workersBefore = (await getJson(`${janus.statsUrl}/workers`)).body.workers.map((w) => w.pid);

      // What the fuzzer has seen: ids to reuse (a peer's own, or another peer's), rooms, capabilities.
      const seen = { byRoom: {}, secrets: {}, rooms: ['fz0', 'fz1', 'fz2', 7, ''], peers: [], transports: [], producers: [], consumers: [], dataProducers: [], dataConsumers: [], caps: null };
      const handles = [];
      for (let i = 0; i < HANDLES; i++) handles.push({ session, id: await janusApi.attach(janus, session) });
      // A handle mostly follows a client's flow (join, transports, produce, consume) with its own ids, and
      // strays: other peers' ids, hostile values, requests out of order.
      const MEDIA = ['createWebRtcTransport', 'createWebRtcTransport', 'produce', 'produce', 'produce', 'consume', 'consume', 'consume',
        'connectWebRtcTransport', 'produceData', 'consumeData', 'pauseProducer', 'resumeProducer', 'closeProducer', 'resumeConsumer',
        'pauseConsumer', 'setPreferredLayers', 'getStats', 'restartIce', 'closeTransport', 'createPlainTransport', 'connectPlainTransport',
        'publishSdp', 'publishSdp', 'subscribeSdp', 'sdpAnswer', 'sdpAnswer', 'unpublishSdp', 'unsubscribeSdp'];
      const SUITES = ['AES_CM_128_HMAC_SHA1_80', 'AES_CM_128_HMAC_SHA1_32', 'AEAD_AES_128_GCM', 'AEAD_AES_256_GCM'];
      function message(f, mine) {
        const ids = (list, own) => (own?.length && f.chance(0.7) ? f.pick(own) : list.length && f.chance(0.85) ? f.pick(list) : f.hostile());
        const maybe = (value) => (f.chance(0.9) ? value : f.hostile());
        const flow = mine.joined ? (f.chance(0.9) ? f.pick(MEDIA) : f.pick(REQUESTS)) : (f.chance(0.5) ? 'join' : f.pick(REQUESTS));
        const name = f.chance(0.97) ? flow : f.pick(['nope', '', 'stats', 'CREATE', f.hugeString(), 5, null]);
        const body = { request: name };
        const room = () => (f.chance(0.9) ? f.pick(seen.rooms) : f.hostile());
        switch (name) {
          case 'create': case 'destroy': case 'exists':
            if (f.chance(0.9)) body.room = room();
            if (name === 'create' && f.chance(0.3)) body.audioLevels = f.pick([true, false, { interval: f.pick([250, 100, 5000, 9999]), threshold: f.pick([-70, 3, -200]) }, f.hostile()]);
            if (name === 'create' && f.chance(0.3)) body.activeSpeaker = f.pick([true, false, { interval: f.pick([100, 50, 5000]) }, f.hostile()]);
            break;
          case 'setDisplay': body.display = f.chance(0.8) ? `p${f.int(100)}` : f.hostile(); break;
          case 'join': body.room = room(); if (f.chance(0.5)) body.display = f.chance(0.8) ? `p${f.int(100)}` : f.hostile(); break;
          case 'kick': body.room = room(); body.peerId = f.chance(0.7) && seen.peers.length ? f.pick(seen.peers) : f.hostile(); break;
          case 'createWebRtcTransport':
            body.direction = maybe(f.pick(['send', 'recv']));
            if (f.chance(0.5)) body.sctpCapabilities = f.chance(0.7) ? { numStreams: { OS: f.pick([1024, 1, 65535, 70000]), MIS: f.pick([1024, 0, -1]) } } : f.hostile();
            break;
          case 'createPlainTransport':
            body.direction = maybe(f.pick(['send', 'recv']));
            for (const key of ['comedia', 'rtcpMux', 'enableSrtp']) if (f.chance(0.5)) body[key] = maybe(f.chance(0.5));
            if (f.chance(0.3)) body.srtpCryptoSuite = maybe(f.pick(SUITES));
            break;
          case 'connectPlainTransport':
            body.transportId = ids(seen.transports, [...mine.send, ...mine.recv]);
            if (f.chance(0.7)) body.ip = maybe(f.pick(['127.0.0.1', '::1', '0.0.0.0', '255.255.255.255']));
            if (f.chance(0.7)) body.port = maybe(f.pick([9, 5004, 65535, 0, 70000]));
            if (f.chance(0.3)) body.rtcpPort = maybe(5005);
            if (f.chance(0.5)) {
              const suite = f.pick(SUITES);
              body.srtpParameters = f.chance(0.8)
                ? { cryptoSuite: maybe(suite), keyBase64: maybe(Buffer.alloc(f.pick([28, 30, 44, 3]), 7).toString('base64')) }
                : f.hostile();
            }
            break;
          case 'connectWebRtcTransport': body.transportId = ids(seen.transports, [...mine.send, ...mine.recv]); body.dtlsParameters = f.dtls(); break;
          case 'restartIce': case 'closeTransport': body.transportId = ids(seen.transports, [...mine.send, ...mine.recv]); break;
          case 'produce': {
            const kind = maybe(f.pick(['audio', 'video']));
            Object.assign(body, { transportId: ids(seen.transports, mine.send), kind, rtpParameters: f.chance(0.95) ? f.rtpParameters(kind === 'video' ? 'video' : 'audio', 1000 + f.int(1e6)) : f.hostile() });
            if (f.chance(0.2)) body.appData = f.chance(0.5) ? { n: 1 } : f.deep();
            break;
          }
          case 'pauseProducer': case 'resumeProducer': case 'closeProducer': body.producerId = ids(seen.producers, mine.producers); break;
          case 'consume':
            Object.assign(body, { transportId: ids(seen.transports, mine.recv), producerId: ids(seen.producers, seen.byRoom[mine.room]), rtpCapabilities: seen.caps && f.chance(0.8) ? seen.caps : f.hostile() });
            break;
          case 'resumeConsumer': case 'pauseConsumer': body.consumerId = ids(seen.consumers, mine.consumers); break;
          case 'setPreferredLayers': Object.assign(body, { consumerId: ids(seen.consumers, mine.consumers), spatialLayer: maybe(f.int(3)), temporalLayer: maybe(f.int(3)) }); break;
          case 'produceData':
            Object.assign(body, { transportId: ids(seen.transports, mine.send), sctpStreamParameters: f.sctp() });
            if (f.chance(0.5)) body.label = maybe('chat');
            if (f.chance(0.3)) body.protocol = maybe('');
            break;
          case 'consumeData': Object.assign(body, { transportId: ids(seen.transports, mine.recv), dataProducerId: ids(seen.dataProducers) }); break;
          case 'publishSdp':
            body.sdp = f.sdp();
            if (f.chance(0.3)) body.transportId = ids(seen.transports, mine.send);
            break;
          case 'subscribeSdp':
            if (f.chance(0.3)) body.producerIds = f.chance(0.8) ? (seen.byRoom[mine.room] ?? []).slice(0, f.int(5)) : f.hostile();
            if (f.chance(0.3)) body.autoUpdate = maybe(f.chance(0.5));
            break;
          case 'sdpAnswer': Object.assign(body, { transportId: ids(seen.transports, mine.recv), sdp: f.sdp() }); break;
          case 'unpublishSdp': case 'unsubscribeSdp':
            body.transportId = ids(seen.transports, name === 'unpublishSdp' ? mine.send : mine.recv);
            if (f.chance(0.4)) body.mids = f.chance(0.8) ? [maybe('0'), '1'] : f.hostile();
            break;
          case 'getStats': body[f.pick(['transportId', 'producerId', 'consumerId', 'dataProducerId', 'dataConsumerId'])] = ids([...seen.transports, ...seen.producers, ...seen.consumers]); break;
          default: break;
        }
        // Credentials, right or wrong (a pin or secret set at create makes later joins and destroys need it).
        if (['create', 'join', 'destroy', 'kick'].includes(name)) {
          for (const key of ['pin', 'secret', 'admin_key', 'token']) {
            if (f.chance(name === 'create' ? 0.05 : 0.2)) body[key] = f.chance(0.5) ? f.pick(['1234', 's3cret', 'eyJhbGciOiJub25lIn0.e30.', '']) : f.hostile();
          }
        }
        // Extra junk fields and, rarely, a body that is not an object's worth of sense at all.
        if (f.chance(0.05)) body[f.pick(['extra', 'room', 'transportId', '__proto__'])] = f.hostile();
        if (f.chance(0.02)) delete body.request;
        return body;
      }

      const fresh = () => ({ joined: false, send: [], recv: [], producers: [], consumers: [] });
      function remember(answer, body, mine) {
        if (answer.error_code === 445 || answer.mediasoup === 'left') Object.assign(mine, fresh());
        switch (answer.mediasoup) {
          case 'created':
            seen.rooms.push(answer.room);
            if (typeof body.secret === 'string') seen.secrets[answer.room] = body.secret;  // the cleanup needs it
            break;
          case 'joined': seen.caps = answer.routerRtpCapabilities; seen.peers.push(answer.peerId); mine.joined = true; mine.room = answer.room; break;
          case 'transport': case 'plainTransport': seen.transports.push(answer.id); (body.direction === 'send' ? mine.send : mine.recv).push(answer.id); break;
          case 'produced':
            seen.producers.push(answer.id);
            mine.producers.push(answer.id);
            (seen.byRoom[mine.room] ??= []).push(answer.id);  // what the room's other peers can consume
            break;
          case 'consumer': seen.consumers.push(answer.id); mine.consumers.push(answer.id); break;
          case 'sdpAnswer':
            seen.transports.push(answer.transportId);
            mine.send.push(answer.transportId);
            for (const p of answer.producers) { seen.producers.push(p.id); mine.producers.push(p.id); (seen.byRoom[mine.room] ??= []).push(p.id); }
            break;
          case 'sdpOffer': seen.transports.push(answer.transportId); mine.recv.push(answer.transportId); break;
          case 'dataProduced': seen.dataProducers.push(answer.id); break;
          case 'dataConsumer': seen.dataConsumers.push(answer.id); break;
          default: break;
        }
        for (const list of ['peers', 'transports', 'producers', 'consumers', 'dataProducers']) if (seen[list].length > 200) seen[list].splice(0, 100);
      }

      const tally = {};
      let sent = 0;
      await Promise.all(handles.map(async (handle, slot) => {
        const f = fuzzers[slot];
        let mine = fresh();
        while (sent < MESSAGES) {
          sent++;
          // Now and then a handle goes away mid-flow (detach, or its whole Janus session) and a new one comes.
          if (f.chance(0.01)) {
            await janusApi.detach(janus, handle.session, handle.id);
            handle.session = f.chance(0.3) ? otherSession : session;
            handle.id = await janusApi.attach(janus, handle.session);
            mine = fresh();
            continue;
          }
          const body = message(f, mine);
          // Sometimes a message goes to another session's handle id (Janus must refuse it, not us crash).
          const target = f.chance(0.01) ? handles[(slot + 1) % handles.length] : handle;
          const sessionId = f.chance(0.005) ? otherSession : target.session;
          const answer = await janusApi.message(janus, sessionId, target.id, body);
          if (answer.janus) {  // refused by Janus itself (wrong session/handle): not a plugin answer
            assert.equal(answer.janus, 'error', JSON.stringify(answer).slice(0, 300));
            tally[`janus:${answer.error?.code}`] = (tally[`janus:${answer.error?.code}`] ?? 0) + 1;
            continue;
          }
          const what = JSON.stringify({ body, answer }).slice(0, 600);
          if (answer.error_code !== undefined) {
            assert.ok(Number.isInteger(answer.error_code) && answer.error_code >= 440 && answer.error_code <= 450, what);
            assert.equal(typeof answer.error, 'string', what);
            assert.equal(answer.mediasoup, 'event', what);
            tally[answer.error_code] = (tally[answer.error_code] ?? 0) + 1;
            remember(answer, body, mine);
          } else {
            assert.ok(ANSWERS.has(answer.mediasoup), what);
            tally[answer.mediasoup] = (tally[answer.mediasoup] ?? 0) + 1;
            remember(answer, body, mine);
          }
        }
      }));
      console.log(`# seed ${SEED}: ${JSON.stringify(tally)}`);
      assert.ok(tally.produced > 0 && tally.consumer > 0 && tally.joined > 0, 'the fuzzer reached deep flows too');

      // Nothing died: Janus runs, the same worker processes answer.
      assert.equal(janus.proc.exitCode, null);
      const workersAfter = (await getJson(`${janus.statsUrl}/workers`)).body.workers;
      assert.deepEqual(workersAfter.map((w) => w.pid), workersBefore);
      for (const w of workersAfter) assert.equal(w.restarts, 0);

      // Nothing leaked: rooms made by create are destroyed, the rest close with their last peer.
      for (const handle of handles) await janusApi.detach(janus, handle.session, handle.id);
      const cleaner = await janusApi.attach(janus, session);
      for (const room of (await janusApi.message(janus, session, cleaner, { request: 'list' })).list) {
        await janusApi.message(janus, session, cleaner, { request: 'destroy', room: room.room, secret: seen.secrets[room.room] ?? '' });
      }
      await janusApi.detach(janus, session, cleaner);
      await waitFor(async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms === 0, { what: 'no room left' });
      await waitFor(() => janus.fdCount() <= fdBaseline + 8, { timeoutMs: 10000, what: `Janus fds back to ${fdBaseline}` })
        .catch(() => { throw new Error(`Janus holds ${janus.fdCount()} fds, ${fdBaseline} before`); });
    } finally {
      await janus.stop();
    }
  });
});
