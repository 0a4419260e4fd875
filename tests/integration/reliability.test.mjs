// Handles released at scale, requests racing detaches, closes and worker deaths, hung workers
// replaced, rooms that survive their worker. Real Janus, real workers; assertions on what a client and an
// operator see (answers, events, /stats, Janus's open fds, worker processes).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, attachPeer, janusApi, liveWorkers, waitFor } from './harness.mjs';

// Runs task(i) for i in [0, count), `concurrency` at a time.
async function pool(count, concurrency, task) {
  let next = 0;
  await Promise.all(Array.from({ length: concurrency }, async () => {
    while (next < count) await task(next++);
  }));
}

const FINGERPRINT = Array.from({ length: 32 }, (_, i) => (i * 7 % 256).toString(16).padStart(2, '0').toUpperCase()).join(':');
const isErrorObject = (a) => a.mediasoup === 'event' && Number.isInteger(a.error_code) && typeof a.error === 'string';

async function settledRooms(janus, timeoutMs = 5000) {
  return waitFor(async () => {
    const { body } = await getJson(`${janus.statsUrl}/stats`);
    return body.totalRooms === 0 ? body : null;
  }, { timeoutMs, what: 'every room closed' }).catch(async () => {
    const { body } = await getJson(`${janus.statsUrl}/stats`);
    throw new Error(`rooms left behind: ${JSON.stringify(body.distribution)}`);
  });
}

async function settledFds(janus, baseline, slack = 8) {
  // Janus frees a detached handle on its own loop, a moment after answering the detach.
  await waitFor(() => janus.fdCount() <= baseline + slack, { timeoutMs: 10000, what: 'Janus fds back to baseline' })
    .catch(() => { throw new Error(`Janus holds ${janus.fdCount()} fds, ${baseline} before`); });
}

describe('handles at scale', () => {
  it('1,500 attach/detach cycles (a third of them joining a room) leave Janus\u2019s fds flat', async () => {
    // Janus's defaults: a loop (and an eventfd) per handle, and an fd limit of 1,024. A handle the plugin
    // never releases keeps its fd: Janus then aborts after about a thousand.
    const janus = await startJanus({ workers: 2, eventLoops: 0 });
    try {
      const session = await janusApi.createSession(janus);
      for (let i = 0; i < 20; i++) await janusApi.detach(janus, session, await janusApi.attach(janus, session));
      await sleep(200);
      const baseline = janus.fdCount();
      await pool(1500, 4, async (i) => {
        const handle = await janusApi.attach(janus, session);
        if (i % 3 === 0) {
          const joined = await janusApi.message(janus, session, handle, { request: 'join', room: `cycle-${i % 7}` });
          assert.equal(joined.mediasoup, 'joined', JSON.stringify(joined));
        }
        await janusApi.detach(janus, session, handle);
      });
      await settledFds(janus, baseline);
      await settledRooms(janus);
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).status, 200);
    } finally {
      await janus.stop();
    }
  });

  it('serves /stats while Janus holds more than FD_SETSIZE (1,024) fds', async () => {
    const janus = await startJanus({ workers: 1, holdFds: 1100 });
    try {
      assert.ok(janus.fdCount() > 1100, `Janus holds ${janus.fdCount()} fds`);
      const { status, body } = await getJson(`${janus.statsUrl}/stats`);
      assert.equal(status, 200);
      assert.equal(body.workers.length, 1);
      const peer = await attachPeer(janus);
      assert.equal((await peer.request({ request: 'create', room: 'many-fds' })).mediasoup, 'created');
      assert.deepEqual((await getJson(`${janus.statsUrl}/stats`)).body.distribution, { 0: ['many-fds'] });
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('requests racing detaches and closes', () => {
  it('2,000 joins racing their handle\u2019s detach leave no room, peer or fd behind', async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      const session = await janusApi.createSession(janus);
      for (let i = 0; i < 20; i++) await janusApi.detach(janus, session, await janusApi.attach(janus, session));
      await sleep(200);
      const baseline = janus.fdCount();
      const codes = {};
      await pool(2000, 8, async (i) => {
        const handle = await janusApi.attach(janus, session);
        // Half join a fresh room of their own (detached before its router exists), half share rooms.
        const room = i % 2 ? `fresh-${i}` : `shared-${i % 20}`;
        const join = janusApi.message(janus, session, handle, { request: 'join', room });
        await sleep(Math.floor(Math.random() * 3));
        await janusApi.detach(janus, session, handle);
        const answer = await join;
        const key = answer.mediasoup === 'joined' ? 'joined' : answer.error_code ?? answer.janus;
        codes[key] = (codes[key] ?? 0) + 1;
        assert.ok(answer.mediasoup === 'joined' || isErrorObject(answer) || answer.janus === 'error', JSON.stringify(answer));
        if (isErrorObject(answer)) assert.ok([445, 443].includes(answer.error_code), JSON.stringify(answer));
      });
      console.log(`# join answers: ${JSON.stringify(codes)}`);
      await settledRooms(janus);
      assert.deepEqual((await janusApi.message(janus, session, await janusApi.attach(janus, session), { request: 'list' })).list, []);
      await settledFds(janus, baseline + 1);
    } finally {
      await janus.stop();
    }
  });

  it('a request racing its room\u2019s destroy gets 443/445/446, never 447', async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      const admin = await attachPeer(janus);
      const peer = await attachPeer(janus);
      const seen = {};
      for (let i = 0; i < 150; i++) {
        const room = `doomed-${i}`;
        await admin.request({ request: 'create', room });
        await peer.request({ request: 'join', room });
        const send = i % 2 ? await peer.request({ request: 'createWebRtcTransport', direction: 'send' }) : null;
        const racing = send
          ? peer.request({ request: 'connectWebRtcTransport', transportId: send.id, dtlsParameters: { role: 'client', fingerprints: [{ algorithm: 'sha-256', value: FINGERPRINT }] } })
          : peer.request({ request: 'createWebRtcTransport', direction: 'recv' });
        await sleep(i % 3);
        await admin.request({ request: 'destroy', room });
        const answer = await racing;
        const key = answer.error_code ?? answer.mediasoup;
        seen[key] = (seen[key] ?? 0) + 1;
        if (answer.error_code) assert.ok([443, 445, 446].includes(answer.error_code), JSON.stringify(answer));
        assert.equal((await peer.request({ request: 'leave' })).error_code, 445);  // the destroy took it out
      }
      console.log(`# racing answers: ${JSON.stringify(seen)}`);
      await settledRooms(janus);
      await admin.close();
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('a worker that dies under requests', () => {
  it('answers the requests in flight 448 at once (no timeout), and moves the room', async () => {
    // A request timeout far beyond the test: an answer that waited for it would be "timed out".
    const janus = await startJanus({ workers: 2, jcfg: 'request_timeout_ms = 30000\nhealth_interval_ms = 1000\nhealth_timeout_ms = 60000' });
    try {
      const peer = await attachPeer(janus);
      const joined = await peer.request({ request: 'join', room: 'inflight' });
      const victim = (await getJson(`${janus.statsUrl}/workers`)).body.workers[joined.worker];
      process.kill(victim.pid, 'SIGSTOP');  // it reads nothing more: the requests below stay in flight
      const inFlight = [];
      for (let i = 0; i < 8; i++) inFlight.push(peer.request({ request: 'createWebRtcTransport', direction: i % 2 ? 'send' : 'recv' }));
      await sleep(300);
      process.kill(victim.pid, 'SIGKILL');
      for (const answer of await Promise.all(inFlight)) {
        assert.equal(answer.error_code, 448, JSON.stringify(answer));
        assert.doesNotMatch(answer.error, /timed out/);
      }
      const moved = await peer.waitEvent((e) => e.event === 'moved');
      assert.notEqual(moved.worker, joined.worker);
      assert.equal((await peer.request({ request: 'createWebRtcTransport', direction: 'send' })).mediasoup, 'transport');
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('a hung worker', () => {
  it('is killed after health_timeout_ms, replaced on the same ports, and its peers moved', async () => {
    const janus = await startJanus({ workers: 2, jcfg: 'health_interval_ms = 200\nhealth_timeout_ms = 1000' });
    try {
      const { body: before } = await getJson(`${janus.statsUrl}/workers`);
      for (const w of before.workers) assert.ok(w.lastAnswerMs >= 0 && w.lastAnswerMs < 1000, `lastAnswerMs ${w.lastAnswerMs}`);
      const peers = [await attachPeer(janus), await attachPeer(janus)];
      const joined = await peers[0].request({ request: 'join', room: 'frozen', display: 'a' });
      await peers[1].request({ request: 'join', room: 'frozen', display: 'b' });
      const victim = before.workers[joined.worker];
      process.kill(victim.pid, 'SIGSTOP');
      for (const peer of peers) {
        const moved = await peer.waitEvent((e) => e.event === 'moved', 6000);
        assert.equal(moved.room, 'frozen');
        assert.equal(moved.reason, 'workerDied');
        assert.notEqual(moved.worker, joined.worker);
      }
      const replaced = await waitFor(async () => {
        const w = (await getJson(`${janus.statsUrl}/workers`)).body.workers[joined.worker];
        return !w.closed && w.pid !== victim.pid ? w : null;
      }, { timeoutMs: 10000, what: 'the hung worker replaced' });
      assert.equal(replaced.restarts, victim.restarts + 1);
      assert.equal(replaced.rtcMinPort, victim.rtcMinPort);
      await waitFor(() => !liveWorkers().some((p) => p.pid === victim.pid), { what: 'the hung worker gone' });
      assert.match(janus.log(), /answered nothing for \d+ ms/);
      const list = (await peers[0].request({ request: 'list' })).list;
      assert.deepEqual(list.map((r) => [r.room, r.peers]), [['frozen', 2]]);
      for (const peer of peers) await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('the only worker dies', () => {
  it('with respawn, the room waits and moves to the replacement', async () => {
    const janus = await startJanus({ workers: 1 });
    try {
      const peer = await attachPeer(janus);
      await peer.request({ request: 'join', room: 'lonely' });
      const victim = (await getJson(`${janus.statsUrl}/workers`)).body.workers[0];
      process.kill(victim.pid, 'SIGKILL');
      const moved = await peer.waitEvent((e) => e.event === 'moved');
      assert.equal(moved.worker, 0);
      const now = (await getJson(`${janus.statsUrl}/workers`)).body.workers[0];
      assert.notEqual(now.pid, victim.pid);
      assert.deepEqual(now.rooms, ['lonely']);
      assert.equal((await peer.request({ request: 'createWebRtcTransport', direction: 'recv' })).mediasoup, 'transport');
      await peer.close();
    } finally {
      await janus.stop();
    }
  });

  it('without respawn, the room closes with roomClosed/noWorker', async () => {
    const janus = await startJanus({ workers: 1, jcfg: 'respawn = false' });
    try {
      const peer = await attachPeer(janus);
      await peer.request({ request: 'join', room: 'stranded' });
      process.kill((await getJson(`${janus.statsUrl}/workers`)).body.workers[0].pid, 'SIGKILL');
      const closed = await peer.waitEvent((e) => e.event === 'roomClosed');
      assert.deepEqual(closed, { mediasoup: 'event', event: 'roomClosed', room: 'stranded', reason: 'noWorker' });
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).body.totalRooms, 0);
      assert.equal((await peer.request({ request: 'leave' })).error_code, 445);
      assert.equal((await peer.request({ request: 'join', room: 'again' })).error_code, 448);
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});
