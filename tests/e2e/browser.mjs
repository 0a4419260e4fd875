// Headless Debian Chromium (fake camera and microphone) driving the demo page, through puppeteer-core.
import { createRequire } from 'node:module';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';

const require = createRequire(new URL('../../web/package.json', import.meta.url));
const puppeteer = require('puppeteer-core');

// extraArgs: more Chromium switches (e.g. --use-file-for-fake-audio-capture=tone.wav for a steady microphone).
export async function launchBrowser({ extraArgs = [] } = {}) {
  return puppeteer.launch({
    executablePath: process.env.CHROMIUM_BIN ?? '/usr/bin/chromium',
    headless: true,
    userDataDir: mkdtempSync(join(tmpdir(), 'janus-mediasoup-chromium-')),
    args: [
      '--no-sandbox', '--use-fake-device-for-media-stream', '--use-fake-ui-for-media-stream',
      '--allow-loopback-in-peer-connection', '--autoplay-policy=no-user-gesture-required', '--disable-gpu',
      '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync',
      '--disable-quic', ...extraArgs,
    ],
  });
}

// A peer: a demo page that joined `room` as `name`, publishing with `codec`, talking to Janus over WebSocket
// (transport: 'http' for the HTTP API). page: 'index.html' (mediasoup-client) or 'sdp.html' (janus.js with a plain
// RTCPeerConnection); both pages expose the same window.demo.
export async function openPeer(browser, janus, { room, name, codec = '', simulcast = false, publish = true, transport = 'ws', page: pageName = 'index.html' }) {
  const page = await browser.newPage();
  await page.setViewport({ width: 1280, height: 800 });
  const errors = [];
  page.on('pageerror', (error) => errors.push(error.message));
  const query = new URLSearchParams({ janus: transport === 'ws' ? janus.wsUrl : janus.janusUrl, room, name, codec, autojoin: '1', simulcast: simulcast ? '1' : '0', publish: publish ? '1' : '0' });
  await page.goto(`${janus.statsUrl}/${pageName}?${query}`);
  await page.waitForFunction(() => window.demo?.joined || window.demo?.error, { timeout: 20000, polling: 100 });
  const error = await page.evaluate(() => window.demo.error);
  if (error) throw new Error(`${name} could not join ${room}: ${error} ${errors.join('; ')}`);
  const info = await page.evaluate(() => ({ worker: window.demo.client.worker, peerId: window.demo.client.peerId }));
  return {
    page, name, ...info, errors,
    inbound: () => page.evaluate(() => window.demo.client.inboundStats()),
    client: (fn, ...args) => page.evaluate(fn, ...args),
  };
}

// Waits for fn (run in the page) to hold. Polls on a timer: requestAnimationFrame, puppeteer's default,
// never fires in a background tab.
export function waitInPage(page, fn, arg, timeout = 10000) {
  return page.waitForFunction(fn, { timeout, polling: 100 }, arg);
}

// Clicks as a user would. Puppeteer's click waits for animation frames, which only a tab in front gets.
export async function clickIn(page, selector) {
  await page.bringToFront();
  await page.click(selector);
}

// Polls the peer's received streams until check(stats) holds.
export async function waitForInbound(peer, check, what, timeoutMs = 20000) {
  const deadline = Date.now() + timeoutMs;
  let stats = [];
  while (Date.now() < deadline) {
    stats = await peer.inbound();
    if (check(stats)) return stats;
    await new Promise((r) => setTimeout(r, 250));
  }
  // What the page itself reported (failed requests, script errors) is usually the why.
  const pageErrors = await peer.page.evaluate(() => window.demo.errors).catch(() => []);
  throw new Error(`${peer.name}: ${what} did not happen; page errors: ${JSON.stringify([...pageErrors, ...peer.errors])}; inbound: ${JSON.stringify(stats)}`);
}
