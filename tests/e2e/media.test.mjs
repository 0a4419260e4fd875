// Real media through the rooms' mediasoup workers, seen by a real browser.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, waitFor } from '../integration/harness.mjs';
import { clickIn, launchBrowser, openPeer, waitForInbound, waitInPage } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;
const screenshots = `${top}build/screenshots`;

const video = (s) => s.kind === 'video';
const audio = (s) => s.kind === 'audio';
const decodingVideo = (min) => (stats) => stats.some((s) => video(s) && s.framesDecoded > min);
const audibleAudio = (stats) => stats.some((s) => audio(s) && s.packetsReceived > 50 && s.totalAudioEnergy > 0);

// Two draws of the peer's first remote <video>, a moment apart: a moving picture differs between them.
async function remotePictureMoves(page) {
  return page.evaluate(async () => {
    const video = document.querySelector('figure.tile:not(.local) video');
    if (!video || !video.videoWidth) return false;
    const canvas = document.createElement('canvas');
    canvas.width = video.videoWidth;
    canvas.height = video.videoHeight;
    const ctx = canvas.getContext('2d');
    const grab = () => {
      ctx.drawImage(video, 0, 0);
      return ctx.getImageData(0, 0, canvas.width, canvas.height).data;
    };
    const first = grab();
    await new Promise((r) => setTimeout(r, 500));
    const second = grab();
    let changed = 0, lit = 0;
    for (let i = 0; i < first.length; i += 4) {
      if (Math.abs(first[i] - second[i]) > 8) changed++;
      if (second[i] + second[i + 1] + second[i + 2] > 60) lit++;
    }
    return changed > 100 && lit > 1000;
  });
}

const HEALTH_TIMEOUT_MS = 2000;

describe('media rooms in a real browser', () => {
  let janus;
  let browser;
  before(async () => {
    janus = await startJanus({
      workers: 2,
      jcfg: `web_root = "${top}web/dist"\nhealth_interval_ms = 500\nhealth_timeout_ms = ${HEALTH_TIMEOUT_MS}\n` +
        `webrtc_server = ${process.env.E2E_WEBRTC_SERVER ?? 'true'}`,
    });
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await janus?.stop();
  });

  let alice, bob, carol;

  it('two peers in room A see and hear each other; a peer in room B, on the other worker, gets none of it', async () => {
    alice = await openPeer(browser, janus, { room: 'A', name: 'alice', codec: 'VP8' });
    bob = await openPeer(browser, janus, { room: 'A', name: 'bob', codec: 'VP8' });
    // Carol talks to Janus over its HTTP API, the others over WebSocket (the demo's default).
    carol = await openPeer(browser, janus, { room: 'B', name: 'carol', codec: 'VP8', transport: 'http' });
    assert.equal(alice.worker, bob.worker);
    assert.notEqual(carol.worker, alice.worker, 'room B lands on the other (least-loaded) worker');

    for (const peer of [alice, bob]) {
      const stats = await waitForInbound(peer, (s) => decodingVideo(40)(s) && audibleAudio(s), 'video frames and audio');
      assert.equal(stats.find(video).codec, 'video/VP8');
      assert.equal(stats.find(audio).codec, 'audio/opus');
    }
    assert.ok(await remotePictureMoves(alice.page), 'alice sees a moving picture from bob');
    assert.ok(await remotePictureMoves(bob.page), 'bob sees a moving picture from alice');
    assert.deepEqual(await carol.inbound(), [], 'carol receives nothing from room A');

    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    assert.deepEqual(stats.distribution[String(alice.worker)], ['A']);
    assert.deepEqual(stats.distribution[String(carol.worker)], ['B']);
    await alice.page.screenshot({ path: `${screenshots}/demo-room.png` });
  });

  it('delivers a data channel message from one peer to another', async () => {
    await waitInPage(bob.page, () => window.demo.client.dataConsumers.size > 0);
    await alice.page.bringToFront();
    await alice.page.type('#chat-input', 'hello from alice');
    await clickIn(alice.page, '#chat-form button');
    await waitInPage(bob.page, () => window.demo.client.messages.some((m) => m.message === 'hello from alice'));
    const shown = await bob.page.$eval('#messages', (list) => list.textContent);
    assert.match(shown, /alice: hello from alice/);
  });

  it('closes the others\u2019 consumers when a peer closes its producer', async () => {
    const before = await bob.inbound();
    const bobsVideoConsumer = before.find(video).consumerId;
    await alice.client(() => window.demo.client.closeProducer('video'));
    await waitInPage(bob.page, (id) => window.demo.client.closedConsumers.includes(id), bobsVideoConsumer);
    const after = await bob.inbound();
    assert.ok(!after.some(video), 'bob no longer receives video from alice');
    assert.ok(after.some(audio), 'bob still receives alice\u2019s audio');
  });

  for (const codec of ['VP9', 'H264']) {
    it(`carries ${codec} video`, async () => {
      const room = `codec-${codec}`;
      const one = await openPeer(browser, janus, { room, name: `${codec}-one`, codec });
      const two = await openPeer(browser, janus, { room, name: `${codec}-two`, codec });
      for (const peer of [one, two]) {
        const stats = await waitForInbound(peer, (s) => decodingVideo(20)(s) && audibleAudio(s), `${codec} frames`);
        assert.equal(stats.find(video).codec, `video/${codec}`);
      }
      for (const peer of [one, two]) {
        await clickIn(peer.page, '#leave');
        await waitInPage(peer.page, () => !window.demo.joined);
        await peer.page.close();
      }
    });
  }

  it('switches simulcast layers on request, and tells the consumer\u2019s peer', async () => {
    const sender = await openPeer(browser, janus, { room: 'simulcast', name: 'sender', codec: 'VP8', simulcast: true });
    const viewer = await openPeer(browser, janus, { room: 'simulcast', name: 'viewer', codec: 'VP8' });
    const [video1] = (await waitForInbound(viewer, decodingVideo(20), 'simulcast video')).filter(video);
    assert.equal(video1.type, 'simulcast');
    // The lowest layer: a quarter of the fake camera's 640 pixels.
    await viewer.client((id) => window.demo.client.setPreferredLayers(id, 0, 2), video1.consumerId);
    await waitInPage(viewer.page, (id) => window.demo.client.layers.get(id)?.spatialLayer === 0, video1.consumerId, 15000);
    await waitForInbound(viewer, (s) => s.some((x) => video(x) && x.frameWidth > 0 && x.frameWidth <= 200), 'a low-resolution layer');
    // And back up: a larger picture arrives.
    await viewer.client((id) => window.demo.client.setPreferredLayers(id, 2, 2), video1.consumerId);
    await waitInPage(viewer.page, (id) => (window.demo.client.layers.get(id)?.spatialLayer ?? 0) >= 1, video1.consumerId, 20000);
    await waitForInbound(viewer, (s) => s.some((x) => video(x) && x.frameWidth > 200), 'a higher layer', 20000);
    for (const peer of [sender, viewer]) {
      await clickIn(peer.page, '#leave');
      await waitInPage(peer.page, () => !window.demo.joined);
      await peer.page.close();
    }
  });

  it('names the server and the cause when Janus is unreachable, and asks for nothing that is not there', async () => {
    const page = await browser.newPage();
    const missing = [];
    page.on('response', (response) => { if (response.status() === 404) missing.push(response.url()); });
    const nowhere = 'http://127.0.0.1:9/janus';  // the discard port: nothing listens on it here
    await page.goto(`${janus.statsUrl}/index.html?${new URLSearchParams({ janus: nowhere, room: 'X', autojoin: '1', publish: '0' })}`);
    await waitInPage(page, () => window.demo?.error);
    const shown = await page.$eval('#status', (el) => el.textContent);
    assert.match(shown, /^Could not join: Janus at http:\/\/127\.0\.0\.1:9\/janus is unreachable: \S/, shown);
    assert.doesNotMatch(shown, /undefined/);
    await page.goto(`${janus.statsUrl}/dashboard.html`);
    await sleep(500);
    assert.deepEqual(missing, []);
    await page.close();
  });

  it('shows the rooms on the dashboard', async () => {
    const page = await browser.newPage();
    await page.setViewport({ width: 1280, height: 900 });
    await page.goto(`${janus.statsUrl}/dashboard.html`);
    await waitInPage(page, () => document.querySelectorAll('#workers tbody tr').length === 2);
    await sleep(2500);  // a few samples on the charts
    const rows = await page.$$eval('#distribution tbody tr', (trs) => trs.map((tr) => [tr.cells[0].textContent, tr.cells[1].textContent.split(', ')]));
    assert.ok(rows.some(([worker, rooms]) => worker === String(alice.worker) && rooms.includes('A')), JSON.stringify(rows));
    assert.ok(rows.some(([worker, rooms]) => worker === String(carol.worker) && rooms.includes('B')), JSON.stringify(rows));
    const states = await page.$$eval('#workers tbody tr', (trs) => trs.map((tr) => tr.cells[2].textContent));
    assert.deepEqual(states, ['running', 'running']);
    await page.screenshot({ path: `${screenshots}/dashboard.png`, fullPage: true });
    await page.close();
  });

  it('tells the others when a peer leaves, and closes an emptied room', async () => {
    await clickIn(bob.page, '#leave');
    await waitInPage(alice.page, () => window.demo.client.peers.size === 0);
    await clickIn(alice.page, '#leave');
    await clickIn(carol.page, '#leave');
    const deadline = Date.now() + 5000;
    let stats;
    do {
      ({ body: stats } = await getJson(`${janus.statsUrl}/stats`));
      if (stats.totalRooms === 0) break;
      await sleep(100);
    } while (Date.now() < deadline);
    assert.equal(stats.totalRooms, 0, JSON.stringify(stats.distribution));
  });

  // A worker's death (or hang) costs its peers a few seconds of media and nothing else.
  for (const [how, signal, budgetMs] of [['killed', 'SIGKILL', 3000], ['hung (SIGSTOP)', 'SIGSTOP', HEALTH_TIMEOUT_MS + 3000]]) {
    it(`moves a call whose worker is ${how}: both peers decode each other again within ${budgetMs} ms, no clicks`, async () => {
      const room = `survivor-${signal}`;
      const one = await openPeer(browser, janus, { room, name: 'one', codec: 'VP8' });
      const two = await openPeer(browser, janus, { room, name: 'two', codec: 'VP8' });
      await waitForInbound(two, decodingVideo(10), 'video before the failure');
      await waitForInbound(one, decodingVideo(10), 'video before the failure');
      const { body: before } = await getJson(`${janus.statsUrl}/workers`);
      const victim = before.workers[one.worker];
      const killedAt = Date.now();
      process.kill(victim.pid, signal);
      const left = () => Math.max(1, budgetMs - (Date.now() - killedAt));
      const oldConsumers = {};
      for (const peer of [one, two]) oldConsumers[peer.name] = (await peer.inbound()).map((s) => s.consumerId);
      for (const peer of [one, two]) {
        // Moved: on another worker, and every consumer is a new one (the old ones went with the worker)…
        await waitInPage(peer.page, (dead) => window.demo.client.worker !== dead, one.worker, left());
        // …decoding frames: media flows again through a live worker.
        await waitForInbound(peer, (stats) => stats.some((s) => video(s) && s.framesDecoded > 0 && !oldConsumers[peer.name].includes(s.consumerId)),
          'video again after the move', left());
      }
      const recoveredMs = Date.now() - killedAt;
      for (const peer of [one, two]) {
        const state = await peer.client(() => ({ worker: window.demo.client.worker, joined: window.demo.joined, error: window.demo.error,
          status: document.getElementById('status').textContent }));
        assert.equal(state.joined, true);
        assert.equal(state.error, null, state.status);
        assert.notEqual(state.worker, one.worker, 'the peer is on another worker now');
        assert.match(state.status, new RegExp(`on worker ${state.worker}`));
      }
      // Still decoding a moment later (not a burst of leftovers), and the slot came back with a new process.
      const first = await one.inbound();
      await waitForInbound(one, (stats) => stats.some((s) => video(s) && s.framesDecoded > (first.find(video)?.framesDecoded ?? 0) + 10), 'rising framesDecoded');
      const slot = await waitFor(async () => {
        const w = (await getJson(`${janus.statsUrl}/workers`)).body.workers[one.worker];
        return !w.closed && w.pid !== victim.pid && w;
      }, { timeoutMs: 10000, what: 'the replacement worker' });
      assert.equal(slot.restarts, victim.restarts + 1);
      assert.equal(slot.rtcMinPort, victim.rtcMinPort);
      console.log(`# ${how}: media back on both peers ${recoveredMs} ms after the ${signal}`);
      await two.page.bringToFront();
      await two.page.screenshot({ path: `${screenshots}/moved-after-${signal}.png` });
      for (const peer of [one, two]) await peer.page.close();
    });
  }
});
