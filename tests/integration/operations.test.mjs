// The pool grows and shrinks at runtime through the Admin API: a drained worker's peers move
// (reason "drained") and it stops without respawn; a resumed one comes back; an added one takes the next
// slot and port range and gets new rooms first.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, attachPeer, admin, liveWorkers, waitFor, ADMIN_SECRET } from './harness.mjs';

const stats = async (janus) => (await getJson(`${janus.statsUrl}/stats`)).body;
const workers = async (janus) => (await getJson(`${janus.statsUrl}/workers`)).body.workers;

describe('workers added and drained at runtime', () => {
  it('drains worker 1 of 3 without losing a room, resumes it, and adds a fourth', async () => {
    const janus = await startJanus({ workers: 3 });
    try {
      const peers = [];
      for (let i = 1; i <= 9; i++) {
        const peer = await attachPeer(janus);
        peer.joined = await peer.request({ request: 'join', room: `ops${i}` });
        await peer.request({ request: 'createWebRtcTransport', direction: 'send' });
        peers.push(peer);
      }
      const before = await workers(janus);
      const onOne = peers.filter((p) => p.joined.worker === 1);
      assert.equal(onOne.length, 3);

      const drained = (await admin(janus, { request: 'drainWorker', workerId: 1 })).response;
      assert.deepEqual(drained, { mediasoup: 'success', workerId: 1, moved: 3 });
      for (const peer of onOne) {
        const moved = await peer.waitEvent((e) => e.event === 'moved');
        assert.equal(moved.reason, 'drained');
        assert.notEqual(moved.worker, 1);
        assert.equal((await peer.request({ request: 'createWebRtcTransport', direction: 'recv' })).mediasoup, 'transport');
      }
      for (const peer of peers.filter((p) => p.joined.worker !== 1)) assert.ok(!peer.events.some((e) => e.event === 'moved'));
      const s = await stats(janus);
      assert.equal(s.totalRooms, 9, 'no room lost');
      assert.deepEqual(s.distribution['1'], []);
      assert.equal(s.workers[1].closed, true);
      assert.equal(s.workers[1].draining, true);
      await waitFor(() => !liveWorkers(janus.proc.pid).some((p) => p.pid === before[1].pid), { what: 'the drained worker exited' });
      for (const room of ['n1', 'n2', 'n3']) assert.notEqual((await peers[0].request({ request: 'create', room })).worker, 1);
      await sleep(300);
      assert.equal((await workers(janus))[1].closed, true, 'not respawned');
      const metrics = await (await fetch(`${janus.statsUrl}/metrics`)).text();
      assert.match(metrics, /janus_mediasoup_worker_up\{worker="1"\} 0/);

      // Bad requests change nothing.
      assert.equal((await admin(janus, { request: 'drainWorker', workerId: 7 })).response.error_code, 440);
      assert.equal((await admin(janus, { request: 'drainWorker', workerId: 'one' })).response.error_code, 440);
      assert.equal((await admin(janus, { request: 'drainWorker' })).response.error_code, 441);
      assert.equal((await admin(janus, { request: 'drainWorker', workerId: 1 })).response.error_code, 440);
      assert.equal((await admin(janus, { request: 'resumeWorker', workerId: 0 })).response.error_code, 440);

      // Resumed, it runs again (same ports) and takes the next new room (it has the fewest).
      assert.deepEqual((await admin(janus, { request: 'resumeWorker', workerId: 1 })).response, { mediasoup: 'success', workerId: 1 });
      const back = await waitFor(async () => { const w = (await workers(janus))[1]; return !w.closed && w; }, { what: 'worker 1 back' });
      assert.equal(back.draining, false);
      assert.equal(back.rtcMinPort, 11000);
      assert.equal((await peers[0].request({ request: 'create', room: 'r-back' })).worker, 1);

      // Added: the next slot and port range; new rooms go there first.
      assert.deepEqual((await admin(janus, { request: 'addWorker' })).response, { mediasoup: 'success', workerId: 3 });
      const added = await waitFor(async () => { const w = (await workers(janus))[3]; return w && !w.closed && w; }, { what: 'worker 3 running' });
      assert.equal(added.rtcMinPort, 13000);
      assert.equal(added.rtcMaxPort, 13999);
      assert.equal(liveWorkers(janus.proc.pid).length, 4);
      assert.equal((await peers[0].request({ request: 'create', room: 'r-new' })).worker, 3);
      assert.equal((await stats(janus)).workers.length, 4);
      for (const peer of peers) await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe("the plugin's log follows Janus's debug_level", () => {
  it('logs per-room lines only from level 5 (VERB), and picks up a level changed at runtime', async () => {
    const janus = await startJanus({ workers: 1 });  // -d 4: INFO
    try {
      const peer = await attachPeer(janus);
      const roomLine = (room) => janus.log().includes(`room ${room} closed (destroyed)`);
      for (const room of ['quiet', 'verbose']) {
        if (room === 'verbose') {
          const set = await (await fetch(janus.adminUrl, {
            method: 'POST', body: JSON.stringify({ janus: 'set_log_level', level: 5, transaction: 'l', admin_secret: ADMIN_SECRET }),
          })).json();
          assert.equal(set.level, 5, JSON.stringify(set));
        }
        assert.equal((await peer.request({ request: 'create', room })).mediasoup, 'created');
        assert.equal((await peer.request({ request: 'destroy', room })).mediasoup, 'destroyed');
      }
      await waitFor(() => roomLine('verbose'), { what: 'the VERB line once the level is 5' });
      assert.ok(!roomLine('quiet'), 'no per-room line at INFO');
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});
