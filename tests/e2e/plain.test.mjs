// Seen by a real browser: GStreamer streams VP8 + Opus into a room over a plain transport and Chromium
// decodes and hears it; Chromium's camera is recorded out of the room by GStreamer over a plain transport and
// the WebM file decodes to frames. Both with plain RTP and with SRTP. The tools are the README's own
// (scripts/plain/ingest.mjs and record.mjs), so this also checks that they work as documented.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { spawn, execFileSync } from 'node:child_process';
import { mkdirSync, statSync } from 'node:fs';
import { createInterface } from 'node:readline';
import { startJanus, getJson } from '../integration/harness.mjs';
import { launchBrowser, openPeer, waitForInbound } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;
const recordings = `${top}build/recordings`;

// Runs one of the scripts/plain tools; `line(n)` resolves with its nth JSON line on stdout, `info` the first.
function tool(name, args) {
  const child = spawn(process.execPath, [`${top}scripts/plain/${name}.mjs`, ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
  let stderr = '';
  child.stderr.on('data', (d) => { stderr += d; });
  const exited = new Promise((resolve) => child.once('exit', (code) => resolve(code)));
  const lines = [];
  let wake = () => {};
  createInterface({ input: child.stdout }).on('line', (l) => { lines.push(JSON.parse(l)); wake(); });
  const line = (n) => new Promise((resolve, reject) => {
    const check = () => { if (lines.length > n) resolve(lines[n]); };
    const previous = wake;
    wake = () => { previous(); check(); };
    exited.then((code) => reject(new Error(`${name} exited ${code}: ${stderr}`)));
    check();
  });
  const info = line(0);
  // SIGINT: the tool's own clean stop; SIGKILL after 10 s so that a hung tool cannot outlive the suite.
  const stop = () => {
    child.kill('SIGINT');
    const killer = setTimeout(() => child.kill('SIGKILL'), 10000);
    exited.then(() => clearTimeout(killer));
  };
  return { info, line, exited, stderr: () => stderr, stop };
}

// A tool that hangs fails the test with what it said instead of hanging the suite.
function within(promise, ms, what, stderr) {
  let timer;
  const timeout = new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms: ${stderr()}`)), ms); });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// Decodes a WebM file with GStreamer: how many video frames and audio buffers come out.
function decodedIn(file) {
  // A queue per branch: the demuxer feeds both from one thread.
  const out = execFileSync('gst-launch-1.0', ['-v', 'filesrc', `location=${file}`, '!', 'matroskademux', 'name=d',
    'd.video_0', '!', 'queue', '!', 'vp8dec', '!', 'fakesink', 'name=frames', 'silent=false',
    'd.audio_0', '!', 'queue', '!', 'opusdec', '!', 'fakesink', 'name=samples', 'silent=false'],
  { encoding: 'utf8', maxBuffer: 64 << 20, timeout: 60000 });
  const count = (sink) => out.split('\n').filter((l) => l.includes(`(${sink}:sink)`) && l.includes('chain')).length;
  return { frames: count('frames'), audioBuffers: count('samples') };
}

describe('plain RTP with GStreamer and Chromium', { skip: process.env.E2E_WEBRTC_SERVER === 'false' && 'run once' }, () => {
  let janus;
  let browser;
  before(async () => {
    janus = await startJanus({ workers: 2, jcfg: `web_root = "${top}web/dist"` });
    browser = await launchBrowser();
    mkdirSync(recordings, { recursive: true });
  });
  after(async () => {
    await browser?.close();
    await janus?.stop();
  });

  for (const srtp of ['', 'AES_CM_128_HMAC_SHA1_80']) {
    const mode = srtp ? `SRTP (${srtp})` : 'plain RTP';
    it(`GStreamer ingest over ${mode}: Chromium decodes the video and hears the audio`, async () => {
      const room = `ingest${srtp ? '-srtp' : ''}`;
      const viewer = await openPeer(browser, janus, { room, name: 'viewer', publish: false });
      const ingest = tool('ingest', ['--janus', janus.janusUrl, '--room', room, '--display', 'gst', ...(srtp ? ['--srtp', srtp] : [])]);
      try {
        const { peerId, transport } = await within(ingest.info, 15000, 'ingest', ingest.stderr);
        assert.equal(Boolean(transport.srtpParameters), Boolean(srtp));
        const stats = await waitForInbound(viewer, (s) => s.some((x) => x.peerId === peerId && x.kind === 'video' && x.framesDecoded > 30) &&
          s.some((x) => x.peerId === peerId && x.kind === 'audio' && x.totalAudioEnergy > 0), 'GStreamer\u2019s video decoded and audio heard', 30000);
        const video = stats.find((x) => x.peerId === peerId && x.kind === 'video');
        assert.equal(video.codec, 'video/VP8');
        assert.equal(video.frameWidth, 640);
      } finally {
        ingest.stop();
        await within(ingest.exited, 8000, 'ingest stopping', ingest.stderr);
        await viewer.page.close();
      }
    });

    it(`records Chromium\u2019s camera over ${mode} with GStreamer; the WebM file decodes`, async () => {
      const room = `record${srtp ? '-srtp' : ''}`;
      const camera = await openPeer(browser, janus, { room, name: 'camera', codec: 'VP8' });
      const file = `${recordings}/camera${srtp ? '-srtp' : ''}.webm`;
      const record = tool('record', ['--janus', janus.janusUrl, '--room', room, '--out', file, ...(srtp ? ['--srtp', srtp] : [])]);
      try {
        const { peerId, producers } = await within(record.info, 15000, 'record', record.stderr);
        assert.equal(peerId, camera.peerId);
        assert.ok(producers.video && producers.audio, JSON.stringify(producers));
        await new Promise((r) => setTimeout(r, 4000));
      } finally {
        record.stop();
        assert.equal(await within(record.exited, 8000, 'record stopping', record.stderr), 0, record.stderr());
        await camera.page.close();
      }
      assert.ok(statSync(file).size > 10000, `${file}: ${statSync(file).size} bytes`);
      const decoded = decodedIn(file);
      assert.ok(decoded.frames >= 30, `${JSON.stringify(decoded)} from about 4 s of camera`);
      assert.ok(decoded.audioBuffers >= 50, JSON.stringify(decoded));
    });
  }

  it('keeps streaming when its worker dies: ingest.mjs publishes again on the new worker and Chromium decodes it', async () => {
    const room = 'ingest-move';
    const viewer = await openPeer(browser, janus, { room, name: 'viewer', publish: false });
    const ingest = tool('ingest', ['--janus', janus.janusUrl, '--room', room, '--display', 'gst']);
    try {
      const first = await within(ingest.info, 15000, 'ingest', ingest.stderr);
      const decoding = (consumers) => (s) => s.some((x) => x.peerId === first.peerId && x.kind === 'video' && x.framesDecoded > 30 && !consumers.has(x.consumerId));
      const before = await waitForInbound(viewer, decoding(new Set()), 'GStreamer’s video decoded', 30000);
      const { body } = await getJson(`${janus.statsUrl}/workers`);
      process.kill(body.workers[first.worker].pid, 'SIGKILL');
      const again = await within(ingest.line(1), 15000, 'ingest publishing again', ingest.stderr);
      assert.equal(again.reason, 'workerDied');
      assert.equal(again.peerId, first.peerId);
      assert.notEqual(again.producers.video, first.producers.video);
      // The viewer moved too (same router); it decodes the new producer through new consumers.
      await waitForInbound(viewer, decoding(new Set(before.map((x) => x.consumerId))), 'GStreamer’s video decoded again after the move', 30000);
    } finally {
      ingest.stop();
      await within(ingest.exited, 8000, 'ingest stopping', ingest.stderr);
      await viewer.page.close();
    }
  });
});
