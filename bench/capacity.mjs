// Transport capacity of one worker, with and without its WebRtcServer, side by side in one run: WebRTC
// transports created through Janus (CONCURRENCY in flight, one room) until the worker refuses one or CAP
// is reached; the rate, how many it held, and the memory for them: the worker's and Janus's (the plugin's
// bookkeeping).
// Usage: node capacity.mjs [CAP] [CONCURRENCY]
import { readFileSync } from 'node:fs';
import { startJanus, attachPeer, getJson, UNLIMITED_PEERS } from '../tests/integration/harness.mjs';

const [cap = 10000, concurrency = 8] = process.argv.slice(2).map(Number);
const rssMiB = (pid) => (Number(readFileSync(`/proc/${pid}/statm`, 'utf8').split(' ')[1]) * 4096) / 2 ** 20;

async function run(webrtcServer) {
  const janus = await startJanus({ workers: 1, jcfg: `webrtc_server = ${webrtcServer}\n${UNLIMITED_PEERS}` });
  try {
    const peers = [];
    for (let i = 0; i < concurrency; i++) {
      const peer = await attachPeer(janus);
      await peer.request({ request: 'join', room: 'capacity' });
      peers.push(peer);
    }
    const worker = (await getJson(`${janus.statsUrl}/workers`)).body.workers[0];
    const rssBefore = rssMiB(worker.pid);
    const janusRssBefore = rssMiB(janus.proc.pid);
    let created = 0;
    let started_ = 0;  // requests started: the cap is never overshot by the lanes in flight
    let refusal = null;
    const started = process.hrtime.bigint();
    await Promise.all(peers.map(async (peer, lane) => {
      while (!refusal && started_ < cap) {
        started_++;
        const t = await peer.request({ request: 'createWebRtcTransport', direction: lane % 2 ? 'send' : 'recv' });
        if (t.error_code) refusal = `${t.error_code} (${t.error.replace(/^.*: /, '').replace(/ \[.*$/, '')})`;
        else created++;
      }
    }));
    const seconds = Number(process.hrtime.bigint() - started) / 1e9;
    const rssAfter = rssMiB(worker.pid);
    const janusRssAfter = rssMiB(janus.proc.pid);
    for (const peer of peers) await peer.close();
    return {
      mode: webrtcServer ? 'WebRtcServer (1 UDP + 1 TCP port)' : 'a UDP + a TCP port per transport',
      held: created, capped: !refusal, perSecond: Math.round(created / seconds),
      kibPerTransport: Math.round(((rssAfter - rssBefore) * 1024) / Math.max(1, created)),
      janusKibPerTransport: +(((janusRssAfter - janusRssBefore) * 1024) / Math.max(1, created)).toFixed(1), refusal,
    };
  } finally {
    await janus.stop();
  }
}

const results = [await run(true), await run(false)];
console.log(`\nOne worker (range of 1000 ports), ${concurrency} in flight through Janus, cap ${cap} (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| transports on | held | transports/s | worker KiB per transport | Janus KiB per transport | stopped by |');
console.log('|---|---|---|---|---|---|');
for (const r of results) {
  console.log(`| ${r.mode} | ${r.held}${r.capped ? '+' : ''} | ${r.perSecond} | ${r.kibPerTransport} | ${r.janusKibPerTransport} | ${r.capped ? 'the cap' : r.refusal} |`);
}
