// The worker pool inside a real Janus, seen through /stats, /workers, the Janus API and the Admin API.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer, admin, liveWorkers, waitFor, ADMIN_SECRET } from './harness.mjs';

describe('worker pool with 3 workers', () => {
  let janus;
  let peer;
  before(async () => {
    janus = await startJanus({ workers: 3 });
    peer = await attachPeer(janus);
  });
  after(async () => {
    await peer?.close();
    await janus?.stop();
  });

  it('lists 3 live workers whose pids and port ranges match the real processes', async () => {
    const { status, body } = await getJson(`${janus.statsUrl}/stats`);
    assert.equal(status, 200);
    assert.equal(body.workers.length, 3);
    const processes = liveWorkers(janus.proc.pid);
    assert.equal(processes.length, 3);
    const { body: detail } = await getJson(`${janus.statsUrl}/workers`);
    for (const [i, w] of body.workers.entries()) {
      assert.equal(w.workerId, i);
      assert.equal(w.closed, false);
      const proc = processes.find((p) => p.pid === w.pid);
      assert.ok(proc, `worker ${i} pid ${w.pid} is a live child of Janus`);
      const d = detail.workers[i];
      assert.equal(d.pid, w.pid);
      assert.equal(d.rtcMinPort, 10000 + 1000 * i);
      assert.equal(d.rtcMaxPort, 10999 + 1000 * i);
      assert.ok(proc.cmdline.includes(`--rtcMinPort=${d.rtcMinPort}`));
      assert.ok(proc.cmdline.includes(`--rtcMaxPort=${d.rtcMaxPort}`));
      assert.ok(d.rssBytes > 1_000_000, 'RSS is measured');
      assert.ok(d.uptimeMs > 0);
      assert.equal(d.restarts, 0);
      assert.equal(typeof d.cpuUsage, 'number');
    }
  });

  it('spreads 7 rooms 3/2/2 and keeps destroy, list and /stats in agreement', async () => {
    const workersOf = {};
    for (let i = 1; i <= 7; i++) {
      const answer = await peer.request({ request: 'create', room: `room${i}` });
      assert.equal(answer.mediasoup, 'created');
      assert.equal(answer.room, `room${i}`);
      workersOf[answer.room] = answer.worker;
    }
    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    assert.equal(stats.totalRooms, 7);
    const counts = stats.workers.map((w) => w.roomCount).sort();
    assert.deepEqual(counts, [2, 2, 3]);
    for (const [slot, rooms] of Object.entries(stats.distribution)) {
      for (const room of rooms) assert.equal(workersOf[room], Number(slot));
      assert.equal(rooms.length, stats.workers[Number(slot)].roomCount);
    }

    // Destroy a room of a worker holding 2: it becomes the least loaded.
    const freed = Object.keys(workersOf).find((r) => r !== 'room1' && stats.workers[workersOf[r]].roomCount === 2);
    assert.deepEqual(await peer.request({ request: 'destroy', room: freed }), { mediasoup: 'destroyed', room: freed });
    const list = await peer.request({ request: 'list' });
    assert.deepEqual(list.list.map((r) => r.room).sort(), Object.keys(workersOf).filter((r) => r !== freed).sort());
    for (const r of list.list) assert.equal(r.worker, workersOf[r.room]);
    const { body: after } = await getJson(`${janus.statsUrl}/stats`);
    assert.equal(after.totalRooms, 6);
    assert.ok(!Object.values(after.distribution).flat().includes(freed));
    assert.deepEqual(await peer.request({ request: 'exists', room: freed }), { mediasoup: 'success', room: freed, exists: false });
    assert.deepEqual(await peer.request({ request: 'exists', room: 'room1' }), { mediasoup: 'success', room: 'room1', exists: true });
    // The freed worker takes the next room.
    const refill = await peer.request({ request: 'create', room: 'room8' });
    assert.equal(refill.worker, workersOf[freed]);
    await peer.request({ request: 'destroy', room: 'room8' });
  });

  it('answers the Admin API with the same objects as /stats and /workers', async () => {
    const viaAdmin = await admin(janus, { request: 'stats' });
    assert.equal(viaAdmin.janus, 'success');
    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    assert.deepEqual(strip(viaAdmin.response), strip(stats));
    const workersAdmin = await admin(janus, { request: 'workers' });
    const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
    assert.deepEqual(workersAdmin.response.workers.map((w) => [w.pid, w.rooms]), workers.workers.map((w) => [w.pid, w.rooms]));
    const unknown = await admin(janus, { request: 'nope' });
    assert.equal(unknown.response.error_code, 442);
  });

  it('generates a room id when none is given', async () => {
    const answer = await peer.request({ request: 'create' });
    assert.equal(answer.mediasoup, 'created');
    assert.match(answer.room, /^[A-Za-z0-9_-]{8,}$/);
    await peer.request({ request: 'destroy', room: answer.room });
  });

  it('rejects bad requests with clear errors and changes nothing', async () => {
    const before = await getJson(`${janus.statsUrl}/stats`);
    const cases = [
      [{ request: 'create', room: 'room1' }, 444],
      [{ request: 'create', room: true }, 440],
      [{ request: 'create', room: '' }, 440],
      [{ request: 'create', room: 'x'.repeat(129) }, 440],
      [{ request: 'create', room: 'a\u0001b' }, 440],
      [{ request: 'destroy' }, 441],
      [{ request: 'destroy', room: 'nosuchroom' }, 443],
      [{ request: 'join' }, 441],
      [{ request: 'join', room: { x: 1 } }, 440],
      [{ request: 'leave' }, 445],
      [{ request: 'teleport' }, 442],
      [{ room: 'room1' }, 441],
      [{ request: 42 }, 440],
    ];
    for (const [body, code] of cases) {
      const answer = await peer.request(body);
      assert.equal(answer.mediasoup, 'event', JSON.stringify(body));
      assert.equal(answer.error_code, code, `${JSON.stringify(body)} → ${JSON.stringify(answer)}`);
      assert.equal(typeof answer.error, 'string');
      assert.ok(answer.error.length > 5);
    }
    const after = await getJson(`${janus.statsUrl}/stats`);
    assert.deepEqual(strip(after.body), strip(before.body));
  });

  it('accepts an integer room id as its decimal string', async () => {
    const answer = await peer.request({ request: 'create', room: 4242 });
    assert.equal(answer.room, '4242');
    assert.equal((await peer.request({ request: 'exists', room: '4242' })).exists, true);
    await peer.request({ request: 'destroy', room: 4242 });
  });

  it('serves JSON 404s and only GET/HEAD on the stats port', async () => {
    const missing = await getJson(`${janus.statsUrl}/nothing-here`);
    assert.equal(missing.status, 404);
    assert.ok(missing.body.error);
    const post = await fetch(`${janus.statsUrl}/stats`, { method: 'POST', body: '{}' });
    assert.equal(post.status, 405);
    assert.equal(post.headers.get('allow'), 'GET, HEAD');
    const head = await fetch(`${janus.statsUrl}/stats`, { method: 'HEAD' });
    assert.equal(head.status, 200);
    assert.equal(head.headers.get('content-type'), 'application/json');
  });

});

describe('peers joining and leaving rooms', () => {
  let janus;
  before(async () => {
    janus = await startJanus({ workers: 2 });
  });
  after(async () => {
    await janus?.stop();
  });

  it('tells peers who joined and left; an auto-created room closes with its last peer', async () => {
    const ann = await attachPeer(janus);
    const bob = await attachPeer(janus);
    const joined = await ann.request({ request: 'join', room: 'meeting', display: 'Ann' });
    assert.equal(joined.mediasoup, 'joined');
    assert.equal(joined.room, 'meeting');
    assert.deepEqual(joined.peers, []);
    assert.equal(typeof joined.peerId, 'string');
    assert.equal((await ann.request({ request: 'join', room: 'other' })).error_code, 445);

    const bobJoined = await bob.request({ request: 'join', room: 'meeting', display: 'Bob', appData: { hand: 'raised' } });
    assert.equal(bobJoined.worker, joined.worker);
    assert.deepEqual(bobJoined.peers.map((p) => [p.peerId, p.display]), [[joined.peerId, 'Ann']]);
    const seen = await ann.waitEvent((e) => e.event === 'peerJoined');
    assert.deepEqual(seen, { mediasoup: 'event', event: 'peerJoined', peerId: bobJoined.peerId, display: 'Bob', worker: bobJoined.worker, appData: { hand: 'raised' } });
    assert.equal((await ann.request({ request: 'list' })).list.find((r) => r.room === 'meeting').peers, 2);

    // The Admin API's handle_info shows where a handle is (query_session).
    const info = await fetch(`${janus.adminUrl}/${bob.sessionId}/${bob.handleId}`, {
      method: 'POST', body: JSON.stringify({ janus: 'handle_info', transaction: 'h', admin_secret: ADMIN_SECRET }),
    }).then((r) => r.json());
    assert.deepEqual(info.info.plugin_specific, { room: 'meeting', peerId: bobJoined.peerId, display: 'Bob' });

    assert.deepEqual(await bob.request({ request: 'leave' }), { mediasoup: 'left', room: 'meeting' });
    await ann.waitEvent((e) => e.event === 'peerLeft' && e.peerId === bobJoined.peerId);
    // Detaching leaves too: the room was auto-created, so it closes with its last peer.
    await ann.detach();
    await waitFor(async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms === 0, { what: 'room closed' });
    await ann.close();
    await bob.close();
  });

  it('keeps a created room when its last peer leaves, and tells peers when it is destroyed', async () => {
    const owner = await attachPeer(janus);
    const guest = await attachPeer(janus);
    await owner.request({ request: 'create', room: 'standing' });
    await guest.request({ request: 'join', room: 'standing', display: 'Guest' });
    await guest.request({ request: 'leave' });
    assert.equal((await owner.request({ request: 'exists', room: 'standing' })).exists, true);
    await guest.request({ request: 'join', room: 'standing' });
    await owner.request({ request: 'destroy', room: 'standing' });
    const closed = await guest.waitEvent((e) => e.event === 'roomClosed');
    assert.deepEqual(closed, { mediasoup: 'event', event: 'roomClosed', room: 'standing', reason: 'destroyed' });
    assert.equal((await guest.request({ request: 'leave' })).error_code, 445, 'no longer joined');
    await owner.close();
    await guest.close();
  });

  it('places concurrent creates evenly', async () => {
    const peer = await attachPeer(janus);
    const answers = await Promise.all([1, 2, 3, 4].map((i) => peer.request({ request: 'create', room: `c${i}` })));
    const perWorker = [0, 0];
    for (const a of answers) perWorker[a.worker]++;
    assert.deepEqual(perWorker, [2, 2]);
    for (let i = 1; i <= 4; i++) await peer.request({ request: 'destroy', room: `c${i}` });
    await peer.close();
  });
});

describe('a client that goes silent', () => {
  it('leaves its room when Janus times its session out, like a detach', async () => {
    const janus = await startJanus({ workers: 1, sessionTimeout: 2 });
    try {
      const stays = await attachPeer(janus);
      const stopKeepAlive = stays.keepAlive(500);
      const silent = await attachPeer(janus);
      await stays.request({ request: 'join', room: 'timeout', display: 'stays' });
      const gone = await silent.request({ request: 'join', room: 'timeout', display: 'silent' });
      silent.vanish();
      const left = await stays.waitEvent((e) => e.event === 'peerLeft', 15000);
      assert.deepEqual(left, { mediasoup: 'event', event: 'peerLeft', peerId: gone.peerId, display: 'silent' });
      assert.equal((await stays.request({ request: 'list' })).list[0].peers, 1);
      stopKeepAlive();
      await stays.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('a worker that dies', () => {
  let janus;
  before(async () => {
    janus = await startJanus({ workers: 3 });
  });
  after(async () => {
    await janus?.stop();
  });

  it('is marked closed, its rooms move (peers told `moved`, nothing lost), and a new worker takes its ports', async () => {
    const peer = await attachPeer(janus);
    const victimPeer = await attachPeer(janus);
    const rooms = {};
    for (let i = 1; i <= 6; i++) rooms[`k${i}`] = (await peer.request({ request: 'create', room: `k${i}` })).worker;
    const victimRooms = Object.keys(rooms).filter((r) => rooms[r] === 1);
    const victimRoom = victimRooms[0];
    const joined = await victimPeer.request({ request: 'join', room: victimRoom });
    await victimPeer.request({ request: 'createWebRtcTransport', direction: 'send' });

    const { body: before } = await getJson(`${janus.statsUrl}/workers`);
    const victim = before.workers[1];
    process.kill(victim.pid, 'SIGKILL');

    const moved = await victimPeer.waitEvent((e) => e.event === 'moved');
    assert.equal(moved.room, victimRoom);
    assert.equal(moved.reason, 'workerDied');
    assert.ok([0, 2].includes(moved.worker), `moved to a live worker (${moved.worker})`);
    assert.deepEqual(moved.routerRtpCapabilities, joined.routerRtpCapabilities);
    assert.ok(!victimPeer.events.some((e) => e.event === 'roomClosed'), 'the room did not close');
    // Still joined: media can be set up again on the new router at once.
    const transport = await victimPeer.request({ request: 'createWebRtcTransport', direction: 'send' });
    assert.equal(transport.mediasoup, 'transport');
    const port = transport.iceCandidates[0].port;
    assert.ok(port >= 10000 + 1000 * moved.worker && port <= 10999 + 1000 * moved.worker, `port ${port} of worker ${moved.worker}`);

    const { body: stats } = await getJson(`${janus.statsUrl}/stats`);
    assert.equal(stats.workers.length, 3);
    assert.equal(stats.totalRooms, 6, 'no room lost');
    const everyRoom = Object.values(stats.distribution).flat().sort();
    assert.deepEqual(everyRoom, Object.keys(rooms).sort());
    for (const room of victimRooms) assert.ok(!stats.distribution['1'].includes(room), `${room} left the dead worker`);
    const listed = (await peer.request({ request: 'list' })).list.find((r) => r.room === victimRoom);
    assert.equal(listed.worker, moved.worker);
    assert.equal(listed.peers, 1);

    const replaced = await waitFor(async () => {
      const { body } = await getJson(`${janus.statsUrl}/workers`);
      const w = body.workers[1];
      return !w.closed && w.pid !== victim.pid ? w : null;
    }, { what: 'replacement worker' });
    assert.equal(replaced.rtcMinPort, victim.rtcMinPort);
    assert.equal(replaced.rtcMaxPort, victim.rtcMaxPort);
    assert.deepEqual(replaced.webRtcServer, victim.webRtcServer, 'the replacement reopens the same WebRtcServer port');
    assert.equal(replaced.webRtcServer.udpPort, victim.rtcMinPort);
    assert.equal(replaced.restarts, 1);
    const proc = liveWorkers(janus.proc.pid).find((p) => p.pid === replaced.pid);
    assert.ok(proc?.cmdline.includes(`--rtcMinPort=${victim.rtcMinPort}`));
    assert.ok(!liveWorkers().some((p) => p.pid === victim.pid), 'the dead worker is reaped');
    // The other workers are the same processes.
    for (const i of [0, 2]) assert.equal((await getJson(`${janus.statsUrl}/workers`)).body.workers[i].pid, before.workers[i].pid);

    // The replacement takes new rooms (it is the least loaded).
    assert.equal((await peer.request({ request: 'create', room: 'after' })).worker, 1);
    await peer.close();
    await victimPeer.close();
  });
});

describe('a worker that dies with respawn off', () => {
  it('stays closed, keeps its slot and port range in /stats, its rooms move, and new rooms avoid it', async () => {
    const janus = await startJanus({ workers: 2, jcfg: 'respawn = false' });
    try {
      const peer = await attachPeer(janus);
      await peer.request({ request: 'create', room: 'on0' });
      await peer.request({ request: 'create', room: 'on1' });
      const { body: before } = await getJson(`${janus.statsUrl}/workers`);
      process.kill(before.workers[1].pid, 'SIGKILL');
      const stats = await waitFor(async () => {
        const { body } = await getJson(`${janus.statsUrl}/stats`);
        return body.workers[1].closed ? body : null;
      }, { what: 'worker 1 closed' });
      assert.equal(stats.workers.length, 2);
      assert.deepEqual(stats.distribution, { 0: ['on0', 'on1'], 1: [] });
      assert.equal(stats.workers[1].roomCount, 0);
      const { body: detail } = await getJson(`${janus.statsUrl}/workers`);
      assert.equal(detail.workers[1].rtcMinPort, 11000);
      assert.equal(detail.workers[1].restarts, 0);
      for (const room of ['n1', 'n2']) assert.equal((await peer.request({ request: 'create', room })).worker, 0);
      await new Promise((r) => setTimeout(r, 500));
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).body.workers[1].closed, true, 'no respawn');
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});

describe('shutdown', () => {
  it('leaves no worker behind when Janus stops', async () => {
    const janus = await startJanus({ workers: 2 });
    const pids = liveWorkers(janus.proc.pid).map((p) => p.pid);
    assert.equal(pids.length, 2);
    const { code } = await janus.stop('SIGTERM');
    assert.equal(code, 0);
    await waitFor(() => !liveWorkers().some((p) => pids.includes(p.pid)), { what: 'workers gone' });
  });

  it('leaves no worker behind even when Janus is killed with SIGKILL', async () => {
    const janus = await startJanus({ workers: 2 });
    const pids = liveWorkers(janus.proc.pid).map((p) => p.pid);
    assert.equal(pids.length, 2);
    await janus.stop('SIGKILL');
    await waitFor(() => !liveWorkers().some((p) => pids.includes(p.pid)), { what: 'orphaned workers exit' });
  });
});

describe('invalid configuration', () => {
  for (const [name, options, mentions] of [
    ['zero workers', { env: { MEDIASOUP_WORKER_COUNT: '0' } }, 'MEDIASOUP_WORKER_COUNT'],
    ['more workers than ports', { env: { MEDIASOUP_WORKER_COUNT: '60' } }, 'above 65535'],
    ['a missing worker binary', { env: { MEDIASOUP_WORKER_BIN: '/nonexistent/worker' } }, '/nonexistent/worker'],
    ['an unparsable number', { jcfg: 'rtc_port_base = "lots"' }, 'rtc_port_base'],
  ]) {
    it(`fails init with one clear line for ${name}`, async () => {
      const janus = await startJanus({ ...options, expectFailure: true });
      try {
        const log = janus.log();
        assert.match(log, new RegExp(`\\[janus.plugin.mediasoup\\] invalid setting .*${mentions.replace(/[/.]/g, '\\$&')}`));
        assert.ok(!log.includes('janus.plugin.mediasoup initialized!'));
        assert.equal(liveWorkers(janus.proc.pid).length, 0);
        // Janus itself keeps running.
        assert.equal((await getJson(`${janus.janusUrl}/info`)).status, 200);
      } finally {
        await janus.stop();
      }
    });
  }
});

// cpuUsage and uptime move between two reads; compare the rest.
function strip(stats) {
  return JSON.parse(JSON.stringify(stats, (key, value) => (key === 'cpuUsage' || key === 'uptimeMs' || key === 'rssBytes' ? undefined : value)));
}
