// Join to first frame: how long a subscriber waits, from its join request (Janus session and handle included)
// to the first decoded video frame of a publisher already in the room, in headless Chromium. 50 joins, 10 in
// flight, per path, side by side in one run on one Janus:
//   - this plugin with mediasoup-client (the demo page, web/src/RoomClient.js);
//   - this plugin with SDP in the body (the plain-WebRTC page: janus.js and an RTCPeerConnection);
//   - Janus VideoRoom with janus.js (bench/pages/videoroom.js: a VideoRoom app's subscriber).
// Each path's publisher is a page of the same kind, publishing the fake camera (640x480). Run through
// bench/join_to_frame.sh (a private network namespace, as the browser tests).
import { createServer } from 'node:http';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createRequire } from 'node:module';
import { startJanus } from '../tests/integration/harness.mjs';
import { launchBrowser, openPeer } from '../tests/e2e/browser.mjs';

const top = new URL('..', import.meta.url).pathname;
const require = createRequire(`${top}web/package.json`);
const { build } = require('esbuild');
const JOINS = Number(process.env.BENCH_JOINS ?? 50);
const IN_FLIGHT = Number(process.env.BENCH_IN_FLIGHT ?? 10);
for (const signal of ['SIGINT', 'SIGTERM']) process.on(signal, () => process.exit(130));

// The VideoRoom page: janus.js bundled, served from a port of its own.
async function serveVideoRoomPage() {
  const dir = mkdtempSync(join(tmpdir(), 'janus-mediasoup-bench-'));
  await build({ entryPoints: [`${top}bench/pages/videoroom.js`], outfile: `${dir}/videoroom.js`, bundle: true, format: 'iife', logLevel: 'warning',
    nodePaths: [`${top}web/node_modules`] });
  const script = readFileSync(`${dir}/videoroom.js`);
  const server = createServer((request, response) => {
    if (request.url.startsWith('/videoroom.js')) return response.end(script);
    response.setHeader('Content-Type', 'text/html');
    response.end('<!doctype html><html><head><link rel="icon" href="data:,"></head><body><script src="/videoroom.js"></script></body></html>');
  }).listen(0, '127.0.0.1');
  await new Promise((resolve) => server.once('listening', resolve));
  return { url: `http://127.0.0.1:${server.address().port}/`, close: () => server.close() };
}

function percentile(sorted, p) {
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

// Runs `one(i)` JOINS times, IN_FLIGHT at a time; the times it resolves with, sorted.
async function sweep(one) {
  const times = [];
  let next = 0;
  await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
    while (next < JOINS) times.push(await one(next++));
  }));
  return times.sort((a, b) => a - b);
}

// A subscriber page of the plugin (index.html or sdp.html), not joined yet; joins and times the first frame.
async function pluginJoin(browser, janus, pageName, room, i) {
  const page = await browser.newPage();
  const query = new URLSearchParams({ janus: janus.wsUrl, room, name: `sub-${i}`, publish: '0' });
  await page.goto(`${janus.statsUrl}/${pageName}?${query}`);
  await page.waitForFunction(() => window.demo?.join, { polling: 50 });
  const ms = await page.evaluate(async () => {
    const t0 = performance.now();
    window.demo.join();
    for (;;) {
      const stats = (await window.demo.client?.inboundStats?.()) ?? [];
      if (stats.some((s) => s.kind === 'video' && s.framesDecoded > 0)) return performance.now() - t0;
      await new Promise((r) => setTimeout(r, 10));
    }
  });
  await page.close();
  return ms;
}

async function videoRoomJoin(browser, pageUrl, janus, feed, i) {
  const page = await browser.newPage();
  await page.goto(`${pageUrl}?${new URLSearchParams({ janus: janus.wsUrl, room: '4321', i: String(i) })}`);
  await page.waitForFunction(() => window.bench, { polling: 50 });
  const ms = await page.evaluate((f) => window.bench.subscribeTime(f), feed);
  await page.close();
  return ms;
}

const janus = await startJanus({
  workers: 2, extraPlugins: 'videoroom', sessionTimeout: 300,
  jcfg: `web_root = "${top}web/dist"\nmax_peers_per_room = 0`,
});
const browser = await launchBrowser();
const videoRoomPage = await serveVideoRoomPage();
const results = [];
try {
  // Publishers first, one per path, each decoding-ready before the sweep.
  await openPeer(browser, janus, { room: 'jtf-msc', name: 'publisher', codec: 'VP8' });
  await openPeer(browser, janus, { room: 'jtf-sdp', name: 'publisher', page: 'sdp.html' });
  const publisherPage = await browser.newPage();
  await publisherPage.goto(`${videoRoomPage.url}?${new URLSearchParams({ janus: janus.wsUrl, room: '4321' })}`);
  await publisherPage.waitForFunction(() => window.bench, { polling: 50 });
  const feed = await publisherPage.evaluate(() => window.bench.publish());
  await new Promise((r) => setTimeout(r, 2000));

  const paths = [
    ['janus-mediasoup, mediasoup-client', (i) => pluginJoin(browser, janus, 'index.html', 'jtf-msc', i)],
    ['janus-mediasoup, SDP in the body (janus.js + RTCPeerConnection)', (i) => pluginJoin(browser, janus, 'sdp.html', 'jtf-sdp', i)],
    ['Janus VideoRoom, janus.js', (i) => videoRoomJoin(browser, videoRoomPage.url, janus, feed, i)],
  ];
  for (const [name, one] of paths) {
    await one(-1);  // warm-up: the page's code cached, Janus's and the worker's first allocations done
    const times = await sweep(one);
    const row = { path: name, joins: times.length, p50: percentile(times, 50), p99: percentile(times, 99), max: times.at(-1) };
    results.push(row);
    console.error(`${name}: p50 ${row.p50.toFixed(0)} ms, p99 ${row.p99.toFixed(0)} ms`);
  }
} finally {
  await browser.close();
  videoRoomPage.close();
  await janus.stop();
}
console.log(`| path | joins (${IN_FLIGHT} in flight) | p50 ms | p99 ms | max ms |`);
console.log('|---|---|---|---|---|');
for (const r of results) console.log(`| ${r.path} | ${r.joins} | ${r.p50.toFixed(0)} | ${r.p99.toFixed(0)} | ${r.max.toFixed(0)} |`);
