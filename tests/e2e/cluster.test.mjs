// A room over three hosts, in real browsers: Redis, three Janus hosts of one cluster (their own ports, worker
// port ranges and pipe addresses), a demo page on each. The first two decode each other's video and hear their
// audio, which crossed between the hosts through SRTP pipe transports, and their chat messages (data channels,
// SCTP through the same pipes); the third host's page sees both, and a plain-WebRTC (SDP) page on the second
// host and the first host's page decode each other. When the first host is killed, the
// others see its peer leave.
import { describe, it, before, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync } from 'node:fs';
import { startJanus, getJson, waitFor } from '../integration/harness.mjs';
import { startRedis } from '../integration/redis.mjs';
import { clickIn, launchBrowser, openPeer, waitInPage, waitForInbound } from './browser.mjs';

const top = new URL('../..', import.meta.url).pathname;

describe('a room over three hosts, in the browser', { skip: process.env.E2E_WEBRTC_SERVER === 'false' && 'run once' }, () => {
  let redis, browser;
  const hosts = [];
  before(async () => {
    redis = await startRedis();
    for (const [i, name] of ['host-a', 'host-b', 'host-c'].entries()) {
      hosts.push(await startJanus({
        workers: i < 2 ? 2 : 1,
        jcfg: [`web_root = "${top}web/dist"`, `cluster_redis = "${redis.url}"`, `host_id = "${name}"`,
          `cluster_pipe_ip = "127.0.0.${11 + i}"`, 'cluster_lease_ms = 2000', `rtc_port_base = ${40000 + i * 4000}`,
          'ports_per_worker = 2000'].join('\n'),
      }));
    }
    // Registered, and seeing each other: until then a host makes no room (it cannot tell where one is).
    for (const janus of hosts) {
      await waitFor(async () => ((await getJson(`${janus.statsUrl}/stats`)).body.hosts ?? []).length === 3, { what: 'the hosts registered' });
    }
    browser = await launchBrowser();
  });
  after(async () => {
    await browser?.close();
    for (const janus of hosts) await janus.stop('SIGKILL').catch(() => {});
    await redis?.kill();
  });

  it('peers on two hosts see and hear each other, a third host\u2019s peer both; the first host killed, its peer leaves the others', async () => {
    const [a, b, c] = hosts;
    const alice = await openPeer(browser, a, { room: 'spanned', name: 'alice', codec: 'VP8' });
    const bob = await openPeer(browser, b, { room: 'spanned', name: 'bob', codec: 'VP8' });
    const carol = await openPeer(browser, c, { room: 'spanned', name: 'carol', publish: false });
    const decodes = (from) => (stats) => ['video', 'audio'].every((kind) => stats.some((s) => s.peerId === from.peerId && s.kind === kind &&
      (kind === 'video' ? s.framesDecoded > 10 : s.totalSamplesReceived > 1000)));
    await waitForInbound(alice, decodes(bob), 'alice decodes bob (host b → host a)', 30000);
    await waitForInbound(bob, decodes(alice), 'bob decodes alice (host a → host b)', 30000);
    await waitForInbound(carol, (stats) => decodes(alice)(stats) && decodes(bob)(stats), 'carol decodes both', 30000);
    // Every host sends to and receives from each other (carol's chat channel goes out too): one pipe
    // transport per other host and direction, 4 on each.
    const pipes = async (janus) => Number((await (await fetch(`${janus.statsUrl}/metrics`)).text()).match(/^janus_mediasoup_cluster_pipes (\d+)$/m)[1]);
    await waitFor(async () => (await Promise.all(hosts.map(pipes))).every((n) => n === 4), { timeoutMs: 15000, what: '4 pipe transports on each host' })
      .catch(async (e) => { throw new Error(`${e.message}: ${await Promise.all(hosts.map(pipes))}`); });
    // A plain-WebRTC (janus.js, SDP) page on host b: it decodes alice from host a, and alice decodes it, through
    // the same pipes (alice's producers crossed to host b once, and now have two consumers there).
    const dave = await openPeer(browser, b, { room: 'spanned', name: 'dave', page: 'sdp.html' });
    await waitForInbound(dave, decodes(alice), 'the SDP page on host b decodes alice (host a)', 30000);
    await waitForInbound(alice, decodes(dave), 'alice decodes the SDP page (host b → host a)', 30000);
    assert.deepEqual(await Promise.all(hosts.map(pipes)), [4, 4, 4], 'no new pipe for a second consumer');
    await dave.page.close();
    // Chat over data channels, both ways between the hosts (SCTP through the same pipe transports).
    const say = async (from, text) => {
      await waitInPage(from.page, () => window.demo.client.dataProducer != null);
      await from.page.bringToFront();
      await from.page.type('#chat-input', text);
      await clickIn(from.page, '#chat-form button');
    };
    const hears = (peer, text) => waitInPage(peer.page, (t) => window.demo.client.messages.some((m) => m.message === t), text, 15000);
    await waitInPage(bob.page, () => window.demo.client.dataConsumers.size > 0, undefined, 15000);
    await say(alice, 'hello from host a');
    await hears(bob, 'hello from host a');
    await hears(carol, 'hello from host a');
    await say(bob, 'hello from host b');
    await hears(alice, 'hello from host b');

    // The dashboard of host b lists the hosts, itself marked.
    const dashboard = await browser.newPage();
    await dashboard.setViewport({ width: 1280, height: 900 });
    await dashboard.goto(`${b.statsUrl}/dashboard.html`);
    await waitInPage(dashboard, () => document.querySelectorAll('#hosts tbody tr').length === 3);
    const listed = await dashboard.$$eval('#hosts tbody tr', (trs) => trs.map((tr) => tr.cells[0].textContent));
    assert.deepEqual(listed, ['host-a', 'host-b (this host)', 'host-c']);
    mkdirSync(`${top}build/screenshots`, { recursive: true });
    await dashboard.screenshot({ path: `${top}build/screenshots/cluster-dashboard.png`, fullPage: true });
    await dashboard.close();

    a.proc.kill('SIGKILL');
    for (const peer of [bob, carol]) {
      await waitInPage(peer.page, (id) => !window.demo.client.peers.has(id), alice.peerId, 10000);
    }
    for (const peer of [bob, carol]) assert.deepEqual(peer.errors, []);
  });
});
