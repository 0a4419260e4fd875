// The plain-WebRTC page (janus.js, an RTCPeerConnection per direction, SDP in the message body) and the
// mediasoup-client page in the same rooms, in real browsers: each decodes and hears the other, simulcast from
// the plain page with the other switching layers, renegotiation as a third peer comes and goes, and a worker
// killed under an SDP peer.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { startJanus, getJson } from '../integration/harness.mjs';
import { launchBrowser, openPeer, waitForInbound, waitInPage } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;
const video = (s) => s.kind === 'video';
const audio = (s) => s.kind === 'audio';
const decodingVideoFrom = (peerId, min) => (stats) => stats.some((s) => video(s) && s.peerId === peerId && s.framesDecoded > min);
const hearing = (peerId) => (stats) => stats.some((s) => audio(s) && s.peerId === peerId && s.packetsReceived > 50 && s.totalAudioEnergy > 0);

describe('plain WebRTC (SDP) peers beside mediasoup-client peers, in a real browser', () => {
  let janus;
  let browser;
  before(async () => {
    janus = await startJanus({
      workers: 2,
      jcfg: `web_root = "${top}web/dist"\nhealth_interval_ms = 500\nhealth_timeout_ms = 2000\nwebrtc_server = ${process.env.E2E_WEBRTC_SERVER ?? 'true'}`,
    });
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    await janus?.stop();
  });

  it('a janus.js page and a mediasoup-client page decode and hear each other; a third peer is offered and withdrawn', async () => {
    const plain = await openPeer(browser, janus, { room: 'mixed', name: 'plain', page: 'sdp.html' });
    const msc = await openPeer(browser, janus, { room: 'mixed', name: 'msc', codec: 'VP8' });
    await waitForInbound(plain, (s) => decodingVideoFrom(msc.peerId, 30)(s) && hearing(msc.peerId)(s), 'the plain page decodes and hears the mediasoup-client peer');
    await waitForInbound(msc, (s) => decodingVideoFrom(plain.peerId, 30)(s) && hearing(plain.peerId)(s), 'the mediasoup-client peer decodes and hears the plain page');
    // The dashboard's source says which peer negotiates with SDP.
    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    const peers = Object.fromEntries(stats.rooms.find((r) => r.room === 'mixed').peers.map((p) => [p.display, p.sdp]));
    assert.deepEqual(peers, { plain: true, msc: false });

    // A third peer joins: the plain page is offered its tracks (renegotiation) and decodes them; it leaves: the
    // m-lines close.
    const third = await openPeer(browser, janus, { room: 'mixed', name: 'third', page: 'sdp.html' });
    await waitForInbound(plain, decodingVideoFrom(third.peerId, 20), 'the plain page decodes the third peer after a renegotiation');
    await waitForInbound(third, (s) => decodingVideoFrom(plain.peerId, 20)(s) && decodingVideoFrom(msc.peerId, 20)(s), 'the third peer decodes both');
    const closedBefore = await plain.client(() => window.demo.client.closedConsumers.length);
    await third.page.close();
    await waitInPage(plain.page, (n) => window.demo.client.closedConsumers.length >= n + 2, closedBefore, 15000);
    const after = await plain.inbound();
    assert.ok(!after.some((s) => s.peerId === third.peerId), 'nothing left of the third peer');
    assert.ok(after.some((s) => video(s) && s.peerId === msc.peerId), 'the first peer still there');
    const states = await plain.client(() => [...window.demo.client.transportStates.values()]);
    assert.ok(states.some((s) => s.dtlsState === 'connected'), JSON.stringify(states));
    for (const peer of [plain, msc]) await peer.page.close();
  });

  it('simulcast from the plain page (rids h, m, l): the mediasoup-client viewer switches layers', async () => {
    const sender = await openPeer(browser, janus, { room: 'sdp-simulcast', name: 'sender', page: 'sdp.html', simulcast: true });
    const viewer = await openPeer(browser, janus, { room: 'sdp-simulcast', name: 'viewer', codec: 'VP8' });
    const [video1] = (await waitForInbound(viewer, decodingVideoFrom(sender.peerId, 20), 'simulcast video')).filter(video);
    assert.equal(video1.type, 'simulcast');
    // Layer 0 is the smallest picture (rids listed h;m;l are ordered low → high), layer 2 the full one.
    // (Chromium sends only two layers of a 640-pixel camera: the lowest arriving is m, half the width.)
    await viewer.client((id) => window.demo.client.setPreferredLayers(id, 0, 2), video1.consumerId);
    await waitForInbound(viewer, (s) => s.some((x) => video(x) && x.frameWidth > 0 && x.frameWidth <= 320), 'a low layer', 20000);
    await viewer.client((id) => window.demo.client.setPreferredLayers(id, 2, 2), video1.consumerId);
    await waitForInbound(viewer, (s) => s.some((x) => video(x) && x.frameWidth >= 640), 'the highest layer (h)', 20000);
    for (const peer of [sender, viewer]) await peer.page.close();
  });

  it('a GStreamer webrtcbin encoder publishing over WHIP: the mediasoup-client page decodes and hears it', async () => {
    const viewer = await openPeer(browser, janus, { room: 'whip-e2e', name: 'viewer', codec: 'VP8', publish: false });
    const encoder = spawn('/usr/bin/python3', [`${top}tests/integration/whip_gst.py`, `${janus.statsUrl}/whip/whip-e2e?display=encoder`, '12'],
      { stdio: ['ignore', 'pipe', 'pipe'] });
    let output = '';
    encoder.stdout.on('data', (chunk) => { output += chunk; });
    encoder.stderr.on('data', (chunk) => { output += chunk; });
    const ended = new Promise((resolve) => encoder.on('exit', resolve));
    try {
      const stats = await waitForInbound(viewer, (s) => s.some((x) => video(x) && x.framesDecoded > 30 && x.frameWidth === 320) &&
        s.some((x) => audio(x) && x.packetsReceived > 50 && x.totalAudioEnergy > 0), `the WHIP encoder's video and audio (${output})`);
      assert.equal(stats.find(video).codec, 'video/VP8');
    } finally {
      encoder.kill('SIGTERM');
      await ended;
    }
    await viewer.page.close();
  });

  it('aiortc publishing and subscribing beside a mediasoup-client page: frames decoded both ways', async () => {
    const msc = await openPeer(browser, janus, { room: 'aiortc-e2e', name: 'msc', codec: 'VP8' });
    const run = (role, seconds) => new Promise((resolve, reject) => {
      const child = spawn('/usr/bin/python3', [`${top}tests/integration/sdp_peer.py`, role, janus.janusUrl, 'aiortc-e2e', String(seconds)],
        { stdio: ['ignore', 'pipe', 'pipe'] });
      let out = '';
      child.stdout.on('data', (chunk) => { out += chunk; });
      child.stderr.on('data', (chunk) => { out += chunk; });
      child.on('exit', (code) => (code === 0 ? resolve(JSON.parse(out.trim().split('\n').pop())) : reject(new Error(`sdp_peer ${role}: ${out}`))));
    });
    const subscribed = run('subscribe', 8);
    const published = run('publish', 8);
    // The mediasoup-client page decodes aiortc's test picture…
    const aiortcPeer = await waitInPage(msc.page, () => [...window.demo.client.peers.entries()].find(([, p]) => p.display === 'aiortc-publish')?.[0], undefined, 10000);
    await waitForInbound(msc, decodingVideoFrom(await aiortcPeer.jsonValue(), 30), 'the mediasoup-client page decodes aiortc');
    // …and aiortc decodes the page's camera (and the other aiortc peer's picture, 640x480 both).
    const result = await subscribed;
    await published;
    const fromPage = result.framesByPeer[msc.peerId];
    assert.ok(fromPage && fromPage.video >= 30 && fromPage.audio >= 50, JSON.stringify(result));
    await msc.page.close();
  });

  it('a worker killed under an SDP peer: it publishes and subscribes again by itself, media back', async () => {
    const plain = await openPeer(browser, janus, { room: 'sdp-survivor', name: 'plain', page: 'sdp.html' });
    const msc = await openPeer(browser, janus, { room: 'sdp-survivor', name: 'msc', codec: 'VP8' });
    await waitForInbound(plain, decodingVideoFrom(msc.peerId, 10), 'video before the failure');
    await waitForInbound(msc, decodingVideoFrom(plain.peerId, 10), 'video before the failure');
    const oldConsumers = (await msc.inbound()).map((s) => s.consumerId);
    const { body: before } = await getJson(`${janus.statsUrl}/workers`);
    const victim = before.workers[plain.worker];
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    await waitInPage(plain.page, (dead) => window.demo.client.worker !== dead, plain.worker, 5000);
    await waitForInbound(plain, decodingVideoFrom(msc.peerId, 5), 'the plain page decodes again after the move', 8000);
    await waitForInbound(msc, (s) => s.some((x) => video(x) && x.peerId === plain.peerId && x.framesDecoded > 5 && !oldConsumers.includes(x.consumerId)),
      'the other peer decodes the plain page again', 8000);
    console.log(`# SDP peer moved: media back ${Date.now() - killedAt} ms after the SIGKILL`);
    const state = await plain.client(() => ({ joined: window.demo.joined, error: window.demo.error }));
    assert.deepEqual(state, { joined: true, error: null });
    for (const peer of [plain, msc]) await peer.page.close();
  });
});
