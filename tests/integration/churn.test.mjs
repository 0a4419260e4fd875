// 20 clients joining, producing, consuming, leaving, detaching and timing out at random for a minute,
// with two worker kills in between; afterwards nothing leaked: rooms, peers, Janus fds, worker processes.
// CHURN_SECONDS shortens or lengthens it; CHURN_SEED reproduces a run's choices.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, getJson, janusApi, liveWorkers, waitFor, seededRandom } from './harness.mjs';

const SECONDS = Number(process.env.CHURN_SECONDS ?? 60);
const SEED = Number(process.env.CHURN_SEED ?? 9);
const CLIENTS = 20;
const SESSION_TIMEOUT_S = 3;


const opusParameters = (ssrc) => ({
  mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
  headerExtensions: [], encodings: [{ ssrc }], rtcp: { cname: 'churn', reducedSize: true },
});

describe('churn', () => {
  it(`${CLIENTS} clients churning for ${SECONDS} s with two worker kills leave nothing behind`, async () => {
    const workers = 3;
    const janus = await startJanus({ workers, sessionTimeout: SESSION_TIMEOUT_S });
    try {
      const warm = await janusApi.createSession(janus);
      for (let i = 0; i < 10; i++) await janusApi.detach(janus, warm, await janusApi.attach(janus, warm));
      await janusApi.destroySession(janus, warm);
      await sleep(300);
      const fdBaseline = janus.fdCount();
      const random = seededRandom(SEED);
      const pick = (list) => list[Math.floor(random() * list.length)];
      const deadline = Date.now() + SECONDS * 1000;
      const tally = {};
      const count = (key) => { tally[key] = (tally[key] ?? 0) + 1; };
      const check = (answer, body) => {
        assert.ok(answer.mediasoup, `not a plugin answer: ${JSON.stringify({ body, answer }).slice(0, 400)}`);
        const ok = answer.error_code === undefined;
        if (!ok) {
          assert.ok(answer.error_code >= 440 && answer.error_code <= 449 && typeof answer.error === 'string',
            JSON.stringify({ body, answer }).slice(0, 400));
          // A kill or a racing close may fail a request; nothing else should.
          assert.ok([443, 445, 446, 448].includes(answer.error_code), JSON.stringify({ body, answer }).slice(0, 400));
        }
        count(ok ? answer.mediasoup : answer.error_code);
        return ok ? answer : null;
      };

      async function client() {
        while (Date.now() < deadline) {
          const session = await janusApi.createSession(janus);
          const handle = await janusApi.attach(janus, session);
          const send = (body) => janusApi.message(janus, session, handle, body).then((a) => check(a, body));
          const joined = await send({ request: 'join', room: `churn-${Math.floor(random() * 6)}`, display: 'c' });
          if (joined) {
            const steps = 1 + Math.floor(random() * 6);
            for (let i = 0; i < steps && Date.now() < deadline; i++) {
              const direction = pick(['send', 'recv']);
              const transport = await send({ request: 'createWebRtcTransport', direction });
              if (transport && direction === 'send') {
                await send({ request: 'produce', transportId: transport.id, kind: 'audio', rtpParameters: opusParameters(1 + Math.floor(random() * 1e9)) });
              }
              const producers = joined.peers.flatMap((p) => p.producers.map((x) => x.id));
              if (transport && direction === 'recv' && producers.length) {
                await send({ request: 'consume', transportId: transport.id, producerId: pick(producers), rtpCapabilities: joined.routerRtpCapabilities });
              }
              await sleep(random() * 50);
            }
          }
          const ending = random();
          if (ending < 0.25) {
            await send({ request: 'leave' });
            await janusApi.destroySession(janus, session);
          } else if (ending < 0.55) {
            await janusApi.detach(janus, session, handle);
            await janusApi.destroySession(janus, session);
          } else if (ending < 0.8) {
            await janusApi.destroySession(janus, session);  // detaches its handle
          } else {
            count('timedOut');  // goes silent: Janus times the session out
          }
          await sleep(random() * 30);
        }
      }

      const killer = (async () => {
        for (const at of [SECONDS / 3, (2 * SECONDS) / 3]) {
          await sleep(Math.max(0, deadline - SECONDS * 1000 + at * 1000 - Date.now()));
          const { body } = await getJson(`${janus.statsUrl}/workers`);
          const victim = pick(body.workers.filter((w) => !w.closed));
          process.kill(victim.pid, 'SIGKILL');
          count('kill');
        }
      })();
      await Promise.all([killer, ...Array.from({ length: CLIENTS }, client)]);
      console.log(`# churn: ${JSON.stringify(tally)}`);
      assert.equal(tally.kill, 2);
      assert.ok(tally.produced > 0 && tally.consumer > 0, 'the clients reached media flows');

      // Silent sessions time out (Janus checks every couple of seconds); then nothing may remain.
      await waitFor(async () => (await getJson(`${janus.statsUrl}/stats`)).body.totalRooms === 0,
        { timeoutMs: (SESSION_TIMEOUT_S + 10) * 1000, what: 'every room closed' })
        .catch(async () => { throw new Error(`rooms left: ${JSON.stringify((await getJson(`${janus.statsUrl}/stats`)).body.distribution)}`); });
      await waitFor(() => janus.fdCount() <= fdBaseline + 8, { timeoutMs: 10000, what: 'fds back' })
        .catch(() => { throw new Error(`Janus holds ${janus.fdCount()} fds, ${fdBaseline} before`); });
      const { body: after } = await getJson(`${janus.statsUrl}/workers`);
      const live = liveWorkers(janus.proc.pid);
      assert.equal(live.length, workers, 'exactly one worker process per slot');
      assert.deepEqual(after.workers.map((w) => w.pid).sort(), live.map((p) => p.pid).sort());
      assert.equal(after.workers.reduce((n, w) => n + w.restarts, 0), 2);
      assert.equal(janus.proc.exitCode, null);
    } finally {
      await janus.stop();
    }
  });
});
