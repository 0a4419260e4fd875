// Standard WebRTC clients through a real Janus: aiortc (Debian's python3-aiortc) publishes and subscribes with
// SDP in the message body; the subscriber decodes the publisher's video and audio. Bad SDP is refused as
// api.md says, and leaves no transport behind.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, attachPeer, getJson } from './harness.mjs';

const peerScript = fileURLToPath(new URL('./sdp_peer.py', import.meta.url));

// Runs sdp_peer.py; resolves with its JSON line.
function sdpPeer(janus, role, room, seconds) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [peerScript, role, janus.janusUrl, room, String(seconds)], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', (code) => {
      if (code !== 0) return reject(new Error(`sdp_peer ${role} exited ${code}: ${err.slice(-2000)}`));
      try {
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch {
        reject(new Error(`sdp_peer ${role} printed no result: ${out} ${err.slice(-1000)}`));
      }
    });
  });
}

const transportsOnMetrics = async (janus) => {
  const text = await (await fetch(`${janus.statsUrl}/metrics`)).text();
  return Number(/^janus_mediasoup_transports (\d+)/m.exec(text)?.[1]);
};

describe('standard WebRTC clients (SDP in the body)', () => {
  let janus;
  before(async () => { janus = await startJanus({ workers: 2 }); });
  after(async () => { await janus?.stop(); });

  it('an aiortc subscriber decodes an aiortc publisher that joined after it (renegotiated by autoUpdate)', async () => {
    const subscribing = sdpPeer(janus, 'subscribe', 'sdp-room', 9);
    await sleep(1500);
    const published = await sdpPeer(janus, 'publish', 'sdp-room', 6);
    const subscribed = await subscribing;
    assert.deepEqual(published.producers.map((p) => p.kind).sort(), ['audio', 'video']);
    assert.equal(published.connectionState, 'connected');
    // ICE completed and DTLS connected at some point (the last state may already be the close of its leaving).
    assert.ok(published.transportStates.some(([ice, dtls]) => ice === 'completed' && dtls === 'connected'), JSON.stringify(published.transportStates));
    assert.ok(subscribed.offers >= 2, `the subscriber was offered the new producers: ${JSON.stringify(subscribed)}`);
    assert.ok(subscribed.frames.video >= 30, `video frames decoded: ${JSON.stringify(subscribed)}`);
    assert.ok(subscribed.frames.audio >= 50, `audio frames decoded: ${JSON.stringify(subscribed)}`);
    assert.deepEqual(subscribed.videoSizes, [[640, 480]]);
  });

  it('refuses bad SDP as api.md says, and leaves nothing behind', async () => {
    const peer = await attachPeer(janus);
    assert.equal((await peer.request({ request: 'join', room: 'sdp-bad', display: 'mallory' })).mediasoup, 'joined');
    const before = await transportsOnMetrics(janus);
    const refused = async (body, code, text) => {
      const answer = await peer.request(body);
      assert.equal(answer.error_code, code, `${JSON.stringify(body).slice(0, 100)} → ${JSON.stringify(answer)}`);
      if (text) assert.match(answer.error, text);
    };
    const fingerprint = 'a=fingerprint:sha-256 AA:BB:CC\r\n';
    await refused({ request: 'publishSdp' }, 441, /sdp/);
    await refused({ request: 'publishSdp', sdp: 42 }, 440, /sdp/);
    await refused({ request: 'publishSdp', sdp: 'hello' }, 440, /line 1/);
    await refused({ request: 'publishSdp', sdp: 'a=x\r\nv=0\r\n' }, 440, /v=0/);
    await refused({ request: 'publishSdp', sdp: 'v=0\r\n' + 'a=\u0001\u0002binary' }, 440, /binary/);
    await refused({ request: 'publishSdp', sdp: 'v=0\r\n' + 'a=x\r\n'.repeat(30000) }, 440, /larger/);
    let many = `v=0\r\n${fingerprint}`;
    for (let i = 0; i < 1000; i++) many += `m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:${i}\r\n`;
    await refused({ request: 'publishSdp', sdp: many }, 440, /m-lines/);
    await refused({ request: 'publishSdp', sdp: 'v=0\r\nm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n' }, 447, /fingerprint/);
    await refused({ request: 'publishSdp', sdp: `v=0\r\n${fingerprint}m=video 9 UDP/TLS/RTP/SAVPF 35\r\na=mid:0\r\na=sendonly\r\na=rtpmap:35 AV1/90000\r\n` }, 447, /av1/);
    await refused({ request: 'publishSdp', sdp: `v=0\r\n${fingerprint}m=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\n`, transportId: 'nope' }, 446);
    await refused({ request: 'sdpAnswer', transportId: 'nope', sdp: 'v=0\r\n' }, 446);
    await refused({ request: 'unsubscribeSdp', transportId: 'nope' }, 446);
    await refused({ request: 'subscribeSdp', producerIds: 'all' }, 440);
    await refused({ request: 'subscribeSdp', autoUpdate: 'yes' }, 440);
    // A duplicate ssrc the worker refuses: the transport made for the offer closes again.
    const twice = `v=0\r\n${fingerprint}` +
      'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:0\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:1234 cname:x\r\n' +
      'm=audio 9 UDP/TLS/RTP/SAVPF 111\r\na=mid:1\r\na=sendonly\r\na=rtpmap:111 opus/48000/2\r\na=ssrc:1234 cname:x\r\n';
    await refused({ request: 'publishSdp', sdp: twice }, 447, /a=mid:1/);
    // A Janus jsep is refused: Janus core would rewrite it.
    const offer = readFileSync(new URL('../unit/sdp/chromium-publish.sdp', import.meta.url), 'utf8');
    const sent = await peer.session.send({ janus: 'message', handle_id: peer.handleId, body: { request: 'publishSdp', sdp: offer },
      jsep: { type: 'offer', sdp: offer } });
    const withJsep = sent.plugindata?.data ?? sent;
    assert.equal(withJsep.error_code, 440, JSON.stringify(sent));
    assert.match(withJsep.error, /jsep/);
    assert.equal(await transportsOnMetrics(janus), before);
    const stats = await getJson(`${janus.statsUrl}/stats`);
    assert.equal(stats.status, 200);
    await peer.close();
  });
});
