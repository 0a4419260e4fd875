// Who is talking, as the demo shows it: a mediasoup-client page and a plain-WebRTC (SDP) page publish their
// microphones (a steady tone file as Chromium's fake microphone), GStreamer publishes a louder tone over plain
// RTP on the room's other worker, and a viewer page watches. Every page learns that the GStreamer peer is the
// active speaker (its tile outlined, its meter up), the browsers' own audio is measured too, and a screen share
// from the first page arrives at the viewer as a tile of its own. The viewer's screenshot is kept in
// build/screenshots/speakers.png.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startJanus, waitFor } from '../integration/harness.mjs';
import { publisher } from '../integration/tones.mjs';
import { launchBrowser, openPeer, waitInPage, waitForInbound, clickIn } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;
const screenshots = `${top}build/screenshots`;

// 10 s of a 440 Hz sine at a quarter of full scale, 48 kHz mono 16-bit: Chromium loops it as its microphone.
function toneWav(path) {
  const rate = 48000, seconds = 10, samples = rate * seconds;
  const data = Buffer.alloc(samples * 2);
  for (let i = 0; i < samples; i++) data.writeInt16LE(Math.round(0.25 * 32767 * Math.sin((2 * Math.PI * 440 * i) / rate)), i * 2);
  const header = Buffer.alloc(44);
  header.write('RIFF', 0); header.writeUInt32LE(36 + data.length, 4); header.write('WAVE', 8);
  header.write('fmt ', 12); header.writeUInt32LE(16, 16); header.writeUInt16LE(1, 20); header.writeUInt16LE(1, 22);
  header.writeUInt32LE(rate, 24); header.writeUInt32LE(rate * 2, 28); header.writeUInt16LE(2, 32); header.writeUInt16LE(16, 34);
  header.write('data', 36); header.writeUInt32LE(data.length, 40);
  writeFileSync(path, Buffer.concat([header, data]));
}

describe('who is talking, in the demo', { skip: process.env.E2E_WEBRTC_SERVER === 'false' && 'run once' }, () => {
  let janus, browser;
  before(async () => {
    mkdirSync(screenshots, { recursive: true });
    const wav = `${top}build/screenshots/tone.wav`;
    toneWav(wav);
    // Two peers a router: the browsers on the room's first router (its observers), GStreamer and the viewer on the other.
    janus = await startJanus({ workers: 2, jcfg: `web_root = "${top}web/dist"\nmax_peers_per_router = 2` });
    browser = await launchBrowser({ extraArgs: [`--use-file-for-fake-audio-capture=${wav}`] });
  });
  after(async () => {
    await browser?.close();
    await janus?.stop();
  });

  it('highlights the loudest peer on every page, measures the browsers, and shows a screen share as its own tile', async () => {
    const room = 'speakers-demo';
    const alice = await openPeer(browser, janus, { room, name: 'alice' });
    const bob = await openPeer(browser, janus, { room, name: 'bob', page: 'sdp.html' });
    const loud = await publisher(janus, room, 'loud', 4242);
    const viewer = await openPeer(browser, janus, { room, name: 'viewer', publish: false });
    assert.equal(alice.worker, bob.worker);
    assert.notEqual(loud.joined.worker, alice.worker, 'the GStreamer tone is piped to the observing router');

    for (const peer of [alice, bob, viewer]) {
      await waitInPage(peer.page, (id) => window.demo.activeSpeaker === id, loud.peerId, 20000);
    }
    await waitInPage(viewer.page, (id) => document.querySelector(`figure[data-peer-id="${id}"]`)?.classList.contains('speaking'), loud.peerId);
    await waitInPage(viewer.page, (id) => parseFloat(document.querySelector(`figure[data-peer-id="${id}"] .meter span`)?.style.width) > 50, loud.peerId);
    // The browsers' microphones are measured as well (mediasoup-client and a plain RTCPeerConnection both send
    // the audio-level extension), and their levels reach the other pages.
    await waitFor(() => {
      const levels = loud.events.filter((e) => e.event === 'audioLevels').flatMap((e) => e.levels.map((l) => l.peerId));
      return levels.includes(alice.peerId) && levels.includes(bob.peerId);
    }, { timeoutMs: 15000, what: 'levels of both browser microphones' });
    await waitInPage(viewer.page, (id) => window.demo.client.levels.has(id), alice.peerId);
    await waitInPage(viewer.page, (id) => window.demo.client.levels.has(id), bob.peerId);

    await clickIn(alice.page, '#share');
    await waitInPage(alice.page, () => !document.getElementById('local-screen-tile').hidden);
    const shared = await loud.waitEvent((e) => e.event === 'newProducer' && e.appData?.source === 'screen', 10000);
    assert.equal(shared.peerId, alice.peerId);
    await waitInPage(viewer.page, (id) => document.querySelector(`figure[data-source="screen"][data-peer-id="${id}"]`), alice.peerId, 15000);
    await waitForInbound(viewer, (stats) => stats.some((s) => s.source === 'screen' && s.framesDecoded > 0), 'the screen share decoded');
    await waitForInbound(viewer, (stats) => stats.some((s) => s.peerId === alice.peerId && s.source === 'camera' && s.framesDecoded > 0), 'alice\u2019s camera beside it');
    await viewer.page.bringToFront();
    await viewer.page.screenshot({ path: `${screenshots}/speakers.png` });

    // Stopping the share removes its tile; the camera tile stays.
    await clickIn(alice.page, '#share');
    await waitInPage(viewer.page, (id) => !document.querySelector(`figure[data-source="screen"][data-peer-id="${id}"]`), alice.peerId);
    assert.ok(await viewer.page.$(`figure[data-peer-id="${alice.peerId}"]:not([data-source])`));
    loud.tone.stop();
    for (const peer of [alice, bob, viewer]) assert.deepEqual(peer.errors, []);
    await loud.close();
  });
});
