// One room fanned out over 1, 2 and 4 workers, with real browsers: one publisher (VP8 + Opus from Chromium's
// fake camera and microphone) and VIEWERS receive-only peers, spread by max_peers_per_router so the room has
// a router on each worker; the publisher's media reaches the other workers through pipes. Over a fixed
// window it reports the packets the viewers received and the CPU the workers spent (from /proc), per
// delivered packet. The browsers run on the same cores: this shows what piping costs the workers, not the
// fan-out ceiling (that needs plain RTP receivers). Run inside a loopback-only network namespace (fanout.sh).
// Usage: node fanout.mjs [VIEWERS] [SECONDS]
import { readFileSync } from 'node:fs';
import { startJanus, liveWorkers } from '../tests/integration/harness.mjs';
import { launchBrowser, openPeer, waitForInbound } from '../tests/e2e/browser.mjs';

const [viewers = 6, seconds = 20] = process.argv.slice(2).map(Number);
const top = new URL('..', import.meta.url).pathname;
const ticksPerSecond = 100;  // USER_HZ on Linux
const cpuTicks = (pid) => {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1].split(' ');
  return Number(fields[11]) + Number(fields[12]);  // utime + stime
};
const received = async (peers) => {
  let packets = 0;
  for (const peer of peers) for (const s of await peer.inbound()) packets += s.packetsReceived ?? 0;
  return packets;
};

const rows = [];
for (const workers of [1, 2, 4]) {
  const perRouter = Math.ceil((viewers + 1) / workers);
  const janus = await startJanus({ workers, jcfg: `web_root = "${top}web/dist"\nmax_peers_per_router = ${perRouter}` });
  // One browser: the pages talk to Janus over WebSocket (over HTTP, each page's long-poll would count
  // against Chromium's 6 connections per host, and a 7th page would stall).
  const browser = await launchBrowser();
  try {
    const publisher = await openPeer(browser, janus, { room: 'fanout', name: 'publisher', codec: 'VP8' });
    const audience = [];
    for (let i = 0; i < viewers; i++) audience.push(await openPeer(browser, janus, { room: 'fanout', name: `viewer${i}`, publish: false }));
    for (const viewer of audience) await waitForInbound(viewer, (s) => s.some((x) => x.kind === 'video' && x.framesDecoded > 30), 'video', 60000);
    const hosting = new Set([publisher.worker, ...audience.map((v) => v.worker)]).size;
    const pids = liveWorkers(janus.proc.pid).map((p) => p.pid);
    const ticks0 = pids.reduce((n, pid) => n + cpuTicks(pid), 0);
    const packets0 = await received(audience);
    const t0 = Date.now();
    await new Promise((r) => setTimeout(r, seconds * 1000));
    const ticks1 = pids.reduce((n, pid) => n + cpuTicks(pid), 0);
    const packets1 = await received(audience);
    const window = (Date.now() - t0) / 1000;
    const packets = packets1 - packets0;
    const cpuSeconds = (ticks1 - ticks0) / ticksPerSecond;
    rows.push({ workers, hosting, perRouter, packetsPerSecond: Math.round(packets / window), cpuPercent: ((cpuSeconds / window) * 100).toFixed(1),
      usPerPacket: ((cpuSeconds * 1e6) / Math.max(1, packets)).toFixed(1) });
  } finally {
    await browser.close();
    await janus.stop();
  }
}
console.log(`\n1 publisher (VP8 + Opus) and ${viewers} viewers in one room, ${seconds} s window (${new Date().toISOString().slice(0, 10)})\n`);
console.log('| workers | workers hosting the room | max peers per router | packets/s delivered | workers CPU % (sum) | worker µs per delivered packet |');
console.log('|---|---|---|---|---|---|');
for (const r of rows) console.log(`| ${r.workers} | ${r.hosting} | ${r.perRouter} | ${r.packetsPerSecond} | ${r.cpuPercent} | ${r.usPerPacket} |`);
