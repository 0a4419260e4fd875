// WHIP ingest through the plugin's HTTP server: GStreamer's webrtcbin publishes with POST /whip/<room>; an
// aiortc subscriber and a GStreamer webrtcbin subscriber (subscribeSdp) in the room decode it; an OBS-style offer gets its answer and Location; DELETE removes
// the publisher; every bad request gets the status api.md names and leaves nothing behind; with tokens on,
// no token → 401, a token that does not grant publishing → 403.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createHmac } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, attachPeer, getJson } from './harness.mjs';

const here = (name) => fileURLToPath(new URL(name, import.meta.url));
const OBS_OFFER = readFileSync(new URL('../unit/sdp/obs-whip.sdp', import.meta.url), 'utf8');

function runJson(script, args) {
  return new Promise((resolve, reject) => {
    const child = spawn('/usr/bin/python3', [here(script), ...args], { stdio: ['ignore', 'pipe', 'pipe'] });
    let out = '';
    let err = '';
    child.stdout.on('data', (chunk) => { out += chunk; });
    child.stderr.on('data', (chunk) => { err += chunk; });
    child.on('exit', (code) => {
      try {
        if (code !== 0) throw new Error(`exit ${code}`);
        resolve(JSON.parse(out.trim().split('\n').pop()));
      } catch (error) {
        reject(new Error(`${script} ${args.join(' ')}: ${error.message}\n${out}\n${err.slice(-2000)}`));
      }
    });
  });
}

const whip = (janus, path, init = {}) => fetch(`${janus.statsUrl}${path}`, init);
const offerInit = (sdp, headers = {}) => ({ method: 'POST', body: sdp, headers: { 'Content-Type': 'application/sdp', ...headers } });
const metric = async (janus, name) => Number(new RegExp(`^${name} (\\d+)`, 'm').exec(await (await fetch(`${janus.statsUrl}/metrics`)).text())?.[1]);

const TOKEN_SECRET = 'whip-token-secret-0123456789abcdef';
const b64url = (value) => Buffer.from(JSON.stringify(value)).toString('base64url');
function token(claims) {
  const input = `${b64url({ alg: 'HS256', typ: 'JWT' })}.${b64url({ exp: Math.floor(Date.now() / 1000) + 300, ...claims })}`;
  return `${input}.${createHmac('sha256', TOKEN_SECRET).update(input).digest('base64url')}`;
}

describe('WHIP ingest', () => {
  it('a GStreamer webrtcbin encoder publishes over WHIP; aiortc and webrtcbin subscribers decode it; DELETE removes it', async () => {
    const janus = await startJanus({ workers: 2 });
    try {
      const watcher = await attachPeer(janus);
      await watcher.request({ request: 'join', room: 'whip-room', display: 'watcher' });
      const subscribing = runJson('sdp_peer.py', ['subscribe', janus.janusUrl, 'whip-room', '11']);
      await sleep(1500);
      const publishing = runJson('whip_gst.py', [`${janus.statsUrl}/whip/whip-room?display=gst`, '8']);
      // A GStreamer webrtcbin subscriber too, once the encoder is in: the plugin's offer, answered by webrtcbin.
      await sleep(2500);
      const gstSubscribed = await runJson('gst_subscriber.py', [janus.janusUrl, 'whip-room', '4']);
      const published = await publishing;
      const subscribed = await subscribing;
      assert.equal(gstSubscribed.connectionState, 'connected', JSON.stringify(gstSubscribed));
      assert.ok(gstSubscribed.frames.video >= 30 && gstSubscribed.frames.audio >= 50, JSON.stringify(gstSubscribed));
      assert.deepEqual(gstSubscribed.videoSize, [320, 240]);
      assert.equal(published.status, 201, JSON.stringify(published));
      assert.match(published.location, /^\/whip\/whip-room\/[0-9a-f-]{36}$/);
      assert.equal(published.connectionState, 'connected');
      assert.equal(published.deleted, 200);
      assert.ok(subscribed.frames.video >= 30, `video frames decoded: ${JSON.stringify(subscribed)}`);
      assert.ok(subscribed.frames.audio >= 50, `audio frames decoded: ${JSON.stringify(subscribed)}`);
      assert.deepEqual(subscribed.videoSizes, [[320, 240]]);
      // The others saw a peer named by ?display= come and go.
      const joined = await watcher.waitEvent((e) => e.event === 'peerJoined' && e.display === 'gst');
      await watcher.waitEvent((e) => e.event === 'peerLeft' && e.peerId === joined.peerId);
      await watcher.close();
    } finally {
      await janus.stop();
    }
  });

  it('answers an OBS-style offer, refuses every bad request with its status, and leaves nothing behind', async () => {
    const janus = await startJanus({ workers: 1 });
    try {
      const baseline = await metric(janus, 'janus_mediasoup_transports');
      // CORS preflight, and the methods WHIP does not use here.
      const preflight = await whip(janus, '/whip/obs', { method: 'OPTIONS' });
      assert.equal(preflight.status, 204);
      assert.match(preflight.headers.get('access-control-allow-methods'), /POST/);
      assert.equal(preflight.headers.get('access-control-allow-origin'), '*');
      assert.equal((await whip(janus, '/whip/obs/abc', { method: 'PATCH', body: 'a=candidate' })).status, 405);
      assert.equal((await whip(janus, '/whip/obs')).status, 405);
      // Bad offers.
      assert.equal((await whip(janus, '/whip/obs', { method: 'POST', body: OBS_OFFER, headers: { 'Content-Type': 'text/plain' } })).status, 415);
      assert.equal((await whip(janus, '/whip/obs', offerInit(''))).status, 400);
      const garbage = await whip(janus, '/whip/obs', offerInit('hello'));
      assert.equal(garbage.status, 400);
      assert.match(await garbage.text(), /sdp/);
      const noCodec = await whip(janus, '/whip/obs', offerInit(OBS_OFFER.replace(/OPUS\/48000\/2/, 'SPEEX/8000').replace(/H264\/90000/, 'AV1/90000')));
      assert.equal(noCodec.status, 400);
      assert.match(await noCodec.text(), /nothing to publish/);
      assert.equal((await whip(janus, '/whip/obs', offerInit('v=0\r\n' + 'a=x\r\n'.repeat(60000)))).status, 413);
      assert.equal((await whip(janus, `/whip/${'r'.repeat(200)}`, offerInit(OBS_OFFER))).status, 404);
      assert.equal((await whip(janus, '/whip/obs/0000', { method: 'DELETE' })).status, 404);
      assert.equal(await metric(janus, 'janus_mediasoup_transports'), baseline);
      assert.equal(await metric(janus, 'janus_mediasoup_peers'), 0);

      // An OBS-style offer: answered, and gone again with DELETE.
      const created = await whip(janus, '/whip/obs', offerInit(OBS_OFFER));
      assert.equal(created.status, 201);
      assert.match(created.headers.get('content-type'), /application\/sdp/);
      assert.equal(created.headers.get('access-control-expose-headers'), 'Location');
      const location = created.headers.get('location');
      const answer = await created.text();
      assert.match(answer, /a=ice-lite/);
      assert.match(answer, /a=setup:passive/);
      assert.match(answer, /a=group:BUNDLE 0 1/);
      assert.equal(await metric(janus, 'janus_mediasoup_producers'), 2);
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).body.totalRooms, 1);
      assert.equal((await whip(janus, location.replace('/whip/obs/', '/whip/other/'), { method: 'DELETE' })).status, 404);
      assert.equal((await whip(janus, location, { method: 'DELETE' })).status, 200);
      assert.equal((await whip(janus, location, { method: 'DELETE' })).status, 404);
      assert.equal(await metric(janus, 'janus_mediasoup_producers'), 0);
      assert.equal(await metric(janus, 'janus_mediasoup_transports'), baseline);
      assert.equal((await getJson(`${janus.statsUrl}/stats`)).body.totalRooms, 0);
    } finally {
      await janus.stop();
    }
  });

  it('with tokens on: no token → 401, a token without publish or of another room → 403, the right one → 201', async () => {
    const janus = await startJanus({ workers: 1, jcfg: `token_secret = "${TOKEN_SECRET}"` });
    try {
      const bearer = (t) => ({ Authorization: `Bearer ${t}` });
      const none = await whip(janus, '/whip/locked', offerInit(OBS_OFFER));
      assert.equal(none.status, 401);
      assert.equal(none.headers.get('www-authenticate'), 'Bearer');
      assert.equal((await whip(janus, '/whip/locked', offerInit(OBS_OFFER, { Authorization: 'Basic eDp5' }))).status, 401);
      assert.equal((await whip(janus, '/whip/locked', offerInit(OBS_OFFER, bearer('not.a.token')))).status, 403);
      assert.equal((await whip(janus, '/whip/locked', offerInit(OBS_OFFER, bearer(token({ room: 'elsewhere' }))))).status, 403);
      assert.equal((await whip(janus, '/whip/locked', offerInit(OBS_OFFER, bearer(token({ room: 'locked', publish: false }))))).status, 403);
      assert.equal(await metric(janus, 'janus_mediasoup_peers'), 0);
      const created = await whip(janus, '/whip/locked', offerInit(OBS_OFFER, bearer(token({ room: 'locked', display: 'OBS' }))));
      assert.equal(created.status, 201);
      assert.equal((await whip(janus, created.headers.get('location'), { method: 'DELETE' })).status, 200);
    } finally {
      await janus.stop();
    }
  });
});
