// One room over several workers, seen by real browsers. Five peers, two per router at most, on three
// workers: everyone decodes everyone's video and hears their audio through the pipes between workers; a
// producer closed on one worker closes its consumers on the others; a data channel message crosses workers;
// a killed worker leaves the others receiving each other and tells them which producers went away.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startJanus, getJson } from '../integration/harness.mjs';
import { launchBrowser, openPeer, waitForInbound, waitInPage } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;
const screenshots = `${top}build/screenshots`;
const PEERS = 5;

// Which other peers this one decodes video from and hears.
function heard(stats) {
  const video = new Set(stats.filter((s) => s.kind === 'video' && s.framesDecoded > 0).map((s) => s.peerId));
  const audio = new Set(stats.filter((s) => s.kind === 'audio' && s.totalAudioEnergy > 0).map((s) => s.peerId));
  return { video, audio };
}

describe('a room over three workers in real browsers', { skip: process.env.E2E_WEBRTC_SERVER === 'false' && 'run once' }, () => {
  let janus;
  let browser;
  const peers = [];
  before(async () => {
    janus = await startJanus({ workers: 3, jcfg: `web_root = "${top}web/dist"\nmax_peers_per_router = 2` });
    browser = await launchBrowser();
    mkdirSync(screenshots, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await janus?.stop();
  });

  it(`spreads ${PEERS} peers over 3 workers; every peer decodes every other peer's video and hears its audio`, async () => {
    for (let i = 0; i < PEERS; i++) peers.push(await openPeer(browser, janus, { room: 'wide', name: `w${i}`, codec: 'VP8' }));
    const workers = peers.map((p) => p.worker);
    assert.deepEqual([...new Set(workers)].sort(), [0, 1, 2], `workers ${workers}`);
    for (const w of [0, 1, 2]) assert.ok(workers.filter((x) => x === w).length <= 2, 'at most 2 peers per router');
    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    assert.deepEqual(stats.distribution, { 0: ['wide'], 1: ['wide'], 2: ['wide'] });
    assert.equal(stats.totalRooms, 1);
    for (const peer of peers) {
      const others = new Set(peers.filter((p) => p !== peer).map((p) => p.peerId));
      await waitForInbound(peer, (s) => {
        const { video, audio } = heard(s);
        return [...others].every((id) => video.has(id) && audio.has(id));
      }, 'video and audio from all 4 others', 40000);
    }
    // The page says where everyone is.
    const captions = await peers[0].page.$$eval('figure.tile figcaption', (els) => els.map((e) => e.textContent));
    assert.ok(captions.filter((c) => /worker \d/.test(c)).length >= PEERS, captions.join(' | '));
    await peers[0].page.bringToFront();
    await peers[0].page.screenshot({ path: `${screenshots}/wide-room.png` });
  });

  it('carries a data channel message across workers', async () => {
    const from = peers.find((p) => p.worker === 0);
    const to = peers.find((p) => p.worker === 2);
    await from.client(() => window.demo.client.send('across the pipe'));
    await waitInPage(to.page, () => window.demo.client.messages.some((m) => m.message === 'across the pipe'));
  });

  it('closes the consumers on workers 1 and 2 when a producer on worker 0 closes', async () => {
    const owner = peers.find((p) => p.worker === 0);
    const producerId = await owner.client(() => window.demo.client.producers.get('video').id);
    await owner.client(() => window.demo.client.closeProducer('video'));
    for (const peer of peers.filter((p) => p.worker !== 0)) {
      await waitInPage(peer.page, (id) => ![...window.demo.client.consumers.values()].some((c) => c.consumer.producerId === id), producerId);
      const closed = await peer.client(() => window.demo.client.closedConsumers.length);
      assert.ok(closed >= 1);
    }
  });

  it('keeps the peers of the other workers receiving each other when one worker is killed', async () => {
    const victimWorker = 1;
    const victims = peers.filter((p) => p.worker === victimWorker);
    const survivors = peers.filter((p) => p.worker !== victimWorker && p.worker !== 0);  // worker 0's peer closed its video
    const watcher = peers.find((p) => p.worker === 0);
    const victimProducers = await Promise.all(victims.map((v) => v.client(() => [...window.demo.client.producers.values()].map((p) => p.id))));
    const { body } = await getJson(`${janus.statsUrl}/workers`);
    const before = new Map();
    for (const s of await watcher.inbound()) before.set(s.consumerId, s.framesDecoded ?? 0);
    process.kill(body.workers[victimWorker].pid, 'SIGKILL');
    // The others are told which producers went away: their consumers of them close.
    for (const ids of victimProducers) {
      await waitInPage(watcher.page, (gone) => ![...window.demo.client.consumers.values()].some((c) => gone.includes(c.consumer.producerId)), ids);
    }
    // Between the surviving workers media keeps flowing: the same consumers keep decoding.
    const survivorIds = new Set(survivors.map((p) => p.peerId));
    await waitForInbound(watcher, (stats) => stats.some((s) => s.kind === 'video' && survivorIds.has(s.peerId) &&
      before.has(s.consumerId) && s.framesDecoded > before.get(s.consumerId) + 20), 'framesDecoded still rising from the other workers');
    // The victims moved and are seen again.
    for (const victim of victims) {
      await waitInPage(victim.page, (dead) => window.demo.client.worker !== dead && window.demo.joined, victimWorker, 15000);
      await waitForInbound(watcher, (stats) => stats.some((s) => s.kind === 'video' && s.peerId === victim.peerId && s.framesDecoded > 0),
        `video of ${victim.name} again after its move`, 20000);
    }
  });
});
