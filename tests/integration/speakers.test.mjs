// Who is talking, with real workers and real audio: GStreamer sends Opus tones at three volumes (about -8, -36
// and -84 dBov) with the audio-level header extension into plain transports of one room; a listening peer hears
// audioLevels, talking, activeSpeaker and, when the sources stop, stoppedTalking and silence. Then the same over
// two workers, where the room's observers sit on one router and audio from the other is piped to them, and
// with that worker killed: the events go on within 3 s.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, attachPeer, waitFor } from './harness.mjs';
import { publisher } from './tones.mjs';

const named = (events, name, from = 0) => events.slice(from).filter((e) => e.event === name);
const levelsOf = (events, peerId, from = 0) => named(events, 'audioLevels', from).flatMap((e) => e.levels.filter((l) => l.peerId === peerId));

// What a listener of the room hears while the three play: levels, talking, the active speaker.
async function checkWhoTalks(listener, { loud, quiet, silent }, from = 0) {
  await listener.waitEvent((e) => e.event === 'activeSpeaker' && e.peerId === loud.peerId && listener.events.indexOf(e) >= from, 15000);
  await waitFor(() => levelsOf(listener.events, quiet.peerId, from).length >= 2 && levelsOf(listener.events, loud.peerId, from).length >= 2,
    { timeoutMs: 10000, what: 'levels of the loud and quiet tones' });
  const loudLevels = levelsOf(listener.events, loud.peerId, from).map((l) => l.volume);
  const quietLevels = levelsOf(listener.events, quiet.peerId, from).map((l) => l.volume);
  assert.ok(loudLevels.every((v) => v > -20 && v <= 0), `loud near -8 dBov: ${loudLevels}`);
  assert.ok(quietLevels.every((v) => v > -50 && v < -20), `quiet near -36 dBov: ${quietLevels}`);
  for (const e of named(listener.events, 'audioLevels', from)) {
    assert.deepEqual(e.levels.map((l) => l.volume), [...e.levels.map((l) => l.volume)].sort((a, b) => b - a), 'loudest first');
    assert.ok(e.levels.every((l) => l.producerId && l.peerId), JSON.stringify(e));
  }
  assert.equal(levelsOf(listener.events, silent.peerId).length, 0, 'the silent source is never in the levels');
  assert.ok(!named(listener.events, 'activeSpeaker').some((e) => e.peerId === silent.peerId), 'the silent source never speaks');
  assert.ok(named(listener.events, 'talking').some((e) => e.peerId === loud.peerId && e.producerId === loud.producerId));
  assert.ok(!named(listener.events, 'talking').some((e) => e.peerId === silent.peerId));
}

describe('audio levels and the active speaker', () => {
  let janus;
  before(async () => { janus = await startJanus({ workers: 2 }); });
  after(async () => { await janus?.stop(); });

  it('the loudest of three tones speaks, the silent one never; silence when they stop', async () => {
    const room = 'speakers-one';
    const listener = await attachPeer(janus);
    assert.equal((await listener.request({ request: 'join', room, display: 'listener' })).mediasoup, 'joined');
    const peers = {};
    for (const [i, name] of ['silent', 'quiet', 'loud'].entries()) peers[name] = await publisher(janus, room, name, 1000 + i);
    await checkWhoTalks(listener, peers);
    // The others hear it too, whatever they publish; a late joiner learns the speaker from its join answer.
    await peers.quiet.waitEvent((e) => e.event === 'activeSpeaker' && e.peerId === peers.loud.peerId, 5000);
    const late = await attachPeer(janus);
    const lateJoined = await late.request({ request: 'join', room });
    assert.equal(lateJoined.activeSpeaker, peers.loud.peerId);
    const stats = (await getJson(`${janus.statsUrl}/stats`)).body;
    assert.equal(stats.rooms.find((r) => r.room === room).activeSpeaker, peers.loud.peerId, '/stats names the active speaker');

    const mark = listener.events.length;
    for (const peer of Object.values(peers)) peer.tone.stop();
    await listener.waitEvent((e) => e.event === 'silence' && listener.events.indexOf(e) >= mark, 5000);
    await listener.waitEvent((e) => e.event === 'stoppedTalking' && e.peerId === peers.loud.peerId && listener.events.indexOf(e) >= mark, 3000);
    // Its producer closing ends it as the active speaker.
    assert.equal((await peers.loud.request({ request: 'closeProducer', producerId: peers.loud.producerId })).mediasoup, 'success');
    await listener.waitEvent((e) => e.event === 'activeSpeaker' && e.peerId === null, 5000);
    for (const peer of [listener, late, ...Object.values(peers)]) await peer.close();
  });
});

describe('audio levels over two workers', () => {
  let janus;
  // Two peers a router: the room spans both workers.
  before(async () => { janus = await startJanus({ workers: 2, jcfg: 'max_peers_per_router = 2' }); });
  after(async () => { await janus?.stop(); });

  it('audio piped to the observing router is heard; its worker killed, the events go on within 3 s', async () => {
    const room = 'speakers-two';
    const listener = await attachPeer(janus);
    const joined = await listener.request({ request: 'join', room, display: 'listener' });
    assert.equal(joined.mediasoup, 'joined');
    // listener and quiet on the room's first router (where the observers are), loud and silent on the other.
    const peers = {};
    for (const [i, name] of ['quiet', 'loud', 'silent'].entries()) peers[name] = await publisher(janus, room, name, 2000 + i);
    assert.equal(peers.quiet.joined.worker, joined.worker);
    assert.notEqual(peers.loud.joined.worker, joined.worker, 'the loud tone is on the other worker');
    assert.equal(peers.silent.joined.worker, peers.loud.joined.worker);
    await checkWhoTalks(listener, peers);

    const { workers } = (await getJson(`${janus.statsUrl}/workers`)).body;
    const victim = workers.find((w) => w.workerId === joined.worker);
    const mark = listener.events.length;
    const killedAt = Date.now();
    process.kill(victim.pid, 'SIGKILL');
    const resumed = await listener.waitEvent((e) => e.event === 'audioLevels' && listener.events.indexOf(e) >= mark &&
      e.levels.some((l) => l.peerId === peers.loud.peerId), 10000);
    const after = Date.now() - killedAt;
    assert.ok(resumed && after <= 3000, `levels resumed ${after} ms after the kill`);
    await sleep(1500);
    assert.ok(!named(listener.events, 'activeSpeaker', mark).some((e) => e.peerId === peers.silent.peerId), 'the silent source never speaks');
    assert.equal(levelsOf(listener.events, peers.silent.peerId).length, 0);
    for (const peer of Object.values(peers)) peer.tone.stop();
    for (const peer of [listener, ...Object.values(peers)]) await peer.close();
  });
});
