// GET /metrics in Prometheus text format 0.0.4, parsed the way a scraper does, checked against what
// the pool and the rooms really hold.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { startJanus, getJson, attachPeer, waitFor } from './harness.mjs';

// {families: {name: {type, help}}, samples: [{name, labels, value}]}; throws on a line that is neither.
function parsePrometheus(text) {
  const families = {};
  const samples = [];
  for (const line of text.split('\n')) {
    if (line === '') continue;
    let m;
    if ((m = /^# (HELP|TYPE) ([a-zA-Z_:][a-zA-Z0-9_:]*) (.*)$/.exec(line))) {
      families[m[2]] ??= {};
      families[m[2]][m[1].toLowerCase()] = m[3];
    } else if ((m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (-?[0-9.eE+-]+|NaN|[+-]Inf)$/.exec(line))) {
      const labels = {};
      for (const pair of (m[2] ?? '').match(/[a-zA-Z_][a-zA-Z0-9_]*="(?:[^"\\]|\\.)*"/g) ?? []) {
        const eq = pair.indexOf('=');
        labels[pair.slice(0, eq)] = pair.slice(eq + 2, -1);
      }
      samples.push({ name: m[1], labels, value: Number(m[3]) });
    } else {
      throw new Error(`not Prometheus text: ${JSON.stringify(line)}`);
    }
  }
  return { families, samples };
}

async function scrape(janus) {
  const response = await fetch(`${janus.statsUrl}/metrics`);
  assert.equal(response.status, 200);
  assert.match(response.headers.get('content-type'), /^text\/plain; version=0\.0\.4/);
  const parsed = parsePrometheus(await response.text());
  parsed.value = (name, labels = {}) => parsed.samples.find((s) => s.name === name &&
    Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value;
  return parsed;
}

describe('metrics', () => {
  it('serves every metric of api.md, in agreement with the pool and the rooms', async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      const ann = await attachPeer(janus);
      const bob = await attachPeer(janus);
      const joined = await ann.request({ request: 'join', room: 'metered' });
      await bob.request({ request: 'join', room: 'metered' });
      const send = await ann.request({ request: 'createWebRtcTransport', direction: 'send' });
      const produced = await ann.request({ request: 'produce', transportId: send.id, kind: 'audio', rtpParameters: {
        mid: '0', codecs: [{ mimeType: 'audio/opus', payloadType: 111, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
        headerExtensions: [], encodings: [{ ssrc: 4242 }], rtcp: { cname: 'm' } } });
      const recv = await bob.request({ request: 'createWebRtcTransport', direction: 'recv' });
      assert.equal((await bob.request({ request: 'consume', transportId: recv.id, producerId: produced.id, rtpCapabilities: joined.routerRtpCapabilities })).mediasoup, 'consumer');
      assert.equal((await bob.request({ request: 'nope' })).error_code, 442);

      const m = await scrape(janus);
      const expected = {
        janus_mediasoup_workers: 'gauge', janus_mediasoup_rooms: 'gauge', janus_mediasoup_peers: 'gauge',
        janus_mediasoup_transports: 'gauge', janus_mediasoup_producers: 'gauge', janus_mediasoup_consumers: 'gauge',
        janus_mediasoup_worker_cpu_ratio: 'gauge', janus_mediasoup_worker_rss_bytes: 'gauge', janus_mediasoup_worker_rooms: 'gauge',
        janus_mediasoup_worker_restarts_total: 'counter', janus_mediasoup_worker_up: 'gauge', janus_mediasoup_requests_total: 'counter',
      };
      for (const [name, type] of Object.entries(expected)) {
        assert.equal(m.families[name]?.type, type, `${name} is a ${type}`);
        assert.ok(m.families[name].help, `${name} has help`);
      }
      assert.equal(m.value('janus_mediasoup_workers'), 2);
      assert.equal(m.value('janus_mediasoup_rooms'), 1);
      assert.equal(m.value('janus_mediasoup_peers'), 2);
      assert.equal(m.value('janus_mediasoup_transports'), 2);
      assert.equal(m.value('janus_mediasoup_producers'), 1);
      assert.equal(m.value('janus_mediasoup_consumers'), 1);
      const { body: workers } = await getJson(`${janus.statsUrl}/workers`);
      for (const w of workers.workers) {
        const worker = String(w.workerId);
        assert.equal(m.value('janus_mediasoup_worker_up', { worker }), 1);
        assert.equal(m.value('janus_mediasoup_worker_rooms', { worker }), w.roomCount);
        assert.equal(m.value('janus_mediasoup_worker_restarts_total', { worker }), 0);
        assert.ok(m.value('janus_mediasoup_worker_rss_bytes', { worker }) > 1_000_000);
        assert.ok(m.value('janus_mediasoup_worker_cpu_ratio', { worker }) >= 0);
      }
      assert.equal(m.value('janus_mediasoup_requests_total', { request: 'join', result: 'ok' }), 2);
      assert.equal(m.value('janus_mediasoup_requests_total', { request: 'consume', result: 'ok' }), 1);
      assert.equal(m.value('janus_mediasoup_requests_total', { request: 'invalid', result: 'error' }), 1);

      // A killed worker shows, then its replacement and the restart.
      process.kill(workers.workers[1].pid, 'SIGKILL');
      const after = await waitFor(async () => {
        const m = await scrape(janus);
        return m.value('janus_mediasoup_worker_restarts_total', { worker: '1' }) === 1 && m.value('janus_mediasoup_worker_up', { worker: '1' }) === 1 && m;
      }, { what: 'the restart counted and the replacement up' });
      assert.equal(after.value('janus_mediasoup_rooms'), 1, 'the room survived');
      await ann.close();
      await bob.close();
    } finally {
      await janus.stop();
    }
  });
});
