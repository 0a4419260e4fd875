// ICE over TCP to a worker's WebRtcServer, spoken by hand: a STUN binding request framed as RFC 4571 on a real
// TCP connection. A thousand transports each get a connection that ICE accepts and that then holds a
// half-sent 60 KB frame (the worker's 64 KB read buffer touched); closing the transport must free the
// connection: the worker's RSS and fds stay flat (a released 3.12 worker kept every such connection forever).
// The same client shows MESSAGE-INTEGRITY still checked both ways: right HMAC → success, one byte off → 401.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac, randomBytes } from 'node:crypto';
import { connect } from 'node:net';
import { readFileSync, readdirSync } from 'node:fs';
import { crc32 } from 'node:zlib';
import { setTimeout as sleep } from 'node:timers/promises';
import { startJanus, attachPeer, liveWorkers, waitFor, UNLIMITED_PEERS } from './harness.mjs';

const CYCLES = Number(process.env.TCP_LEAK_CYCLES ?? 1000);
const IN_FLIGHT = 8;
const STUN_MAGIC = 0x2112a442;

function attribute(type, value) {
  const padded = Buffer.alloc(4 + Math.ceil(value.length / 4) * 4);
  padded.writeUInt16BE(type, 0);
  padded.writeUInt16BE(value.length, 2);
  value.copy(padded, 4);
  return padded;
}

// A binding request as a browser sends it to an ICE-lite server: USERNAME, PRIORITY, ICE-CONTROLLING,
// MESSAGE-INTEGRITY (HMAC-SHA1 keyed with the server's password), FINGERPRINT.
function bindingRequest({ username, password, corruptIntegrity = false }) {
  const transactionId = randomBytes(12);
  const priority = Buffer.alloc(4);
  priority.writeUInt32BE(1853824767);
  const attributes = Buffer.concat([
    attribute(0x0006, Buffer.from(username)),
    attribute(0x0024, priority),
    attribute(0x802a, randomBytes(8)),
  ]);
  const header = (length) => {
    const h = Buffer.alloc(20);
    h.writeUInt16BE(0x0001, 0);
    h.writeUInt16BE(length, 2);
    h.writeUInt32BE(STUN_MAGIC, 4);
    transactionId.copy(h, 8);
    return h;
  };
  // The length field counts MESSAGE-INTEGRITY while it is computed, then FINGERPRINT too.
  const signed = Buffer.concat([header(attributes.length + 24), attributes]);
  const hmac = createHmac('sha1', password).update(signed).digest();
  if (corruptIntegrity) hmac[19] ^= 0x01;
  const withIntegrity = Buffer.concat([header(attributes.length + 24 + 8), attributes, attribute(0x0008, hmac)]);
  const fingerprint = Buffer.alloc(4);
  fingerprint.writeUInt32BE((crc32(withIntegrity) ^ 0x5354554e) >>> 0);
  return Buffer.concat([withIntegrity, attribute(0x8028, fingerprint)]);
}

const framed = (packet) => {
  const length = Buffer.alloc(2);
  length.writeUInt16BE(packet.length);
  return Buffer.concat([length, packet]);
};

// Opens an ICE-TCP connection, sends one binding request and resolves with the STUN message class of the
// answer (0x0101 success, 0x0111 error) and the error code, the socket left open.
function stunOverTcp(port, request) {
  return new Promise((resolve, reject) => {
    const socket = connect({ host: '127.0.0.1', port });
    let received = Buffer.alloc(0);
    const timer = setTimeout(() => { socket.destroy(); reject(new Error('no STUN answer over TCP')); }, 5000);
    socket.on('error', (error) => { clearTimeout(timer); reject(error); });
    socket.on('connect', () => socket.write(framed(request)));
    socket.on('data', (chunk) => {
      received = Buffer.concat([received, chunk]);
      if (received.length < 2 || received.length < 2 + received.readUInt16BE(0)) return;
      clearTimeout(timer);
      const message = received.subarray(2, 2 + received.readUInt16BE(0));
      let errorCode = null;
      for (let at = 20; at + 4 <= message.length;) {
        const type = message.readUInt16BE(at);
        const length = message.readUInt16BE(at + 2);
        if (type === 0x0009) errorCode = message[at + 6] * 100 + message[at + 7];
        at += 4 + Math.ceil(length / 4) * 4;
      }
      resolve({ socket, messageClass: message.readUInt16BE(0), errorCode });
    });
  });
}

const closedBy = (socket) => new Promise((resolve) => {
  if (socket.destroyed) resolve();
  socket.on('close', resolve);
  socket.resume();
});

function workerUsage(pid) {
  const status = readFileSync(`/proc/${pid}/status`, 'utf8');
  return { rssKb: Number(/VmRSS:\s+(\d+)/.exec(status)[1]), fds: readdirSync(`/proc/${pid}/fd`).length };
}

describe('ICE over TCP to the WebRtcServer', () => {
  it('checks MESSAGE-INTEGRITY, and frees every connection of a closed transport (worker RSS and fds flat)', async () => {
    const janus = await startJanus({ workers: 1, jcfg: UNLIMITED_PEERS });
    try {
      const peer = await attachPeer(janus);
      assert.equal((await peer.request({ request: 'join', room: 'tcp-leak', display: 'ice-tcp' })).mediasoup, 'joined');
      const [worker] = liveWorkers(janus.proc.pid);

      async function transportWithTcp() {
        const transport = await peer.request({ request: 'createWebRtcTransport', direction: 'recv' });
        assert.ok(transport.id, JSON.stringify(transport));
        const tcp = transport.iceCandidates.find((candidate) => candidate.protocol === 'tcp');
        assert.ok(tcp, `no TCP candidate: ${JSON.stringify(transport.iceCandidates)}`);
        const { usernameFragment, password } = transport.iceParameters;
        return { id: transport.id, port: tcp.port, username: `${usernameFragment}:client`, password };
      }

      // MESSAGE-INTEGRITY: one flipped bit is refused with 401, the right HMAC answered with success.
      const probe = await transportWithTcp();
      const forged = await stunOverTcp(probe.port, bindingRequest({ ...probe, corruptIntegrity: true }));
      assert.deepEqual([forged.messageClass, forged.errorCode], [0x0111, 401]);
      forged.socket.destroy();
      const genuine = await stunOverTcp(probe.port, bindingRequest(probe));
      assert.deepEqual([genuine.messageClass, genuine.errorCode], [0x0101, null]);
      genuine.socket.destroy();
      assert.equal((await peer.request({ request: 'closeTransport', transportId: probe.id })).mediasoup, 'success');

      // One cycle: a transport, an ICE-TCP connection ICE accepted, 60 KB of a frame that never completes,
      // then the transport closed; the worker closes the connection.
      async function cycle() {
        const transport = await transportWithTcp();
        const { socket, messageClass } = await stunOverTcp(transport.port, bindingRequest(transport));
        assert.equal(messageClass, 0x0101);
        const partial = Buffer.alloc(2 + 60000, 0x80);
        partial.writeUInt16BE(65000, 0);
        await new Promise((resolve) => socket.write(partial, resolve));
        const closed = closedBy(socket);
        assert.equal((await peer.request({ request: 'closeTransport', transportId: transport.id })).mediasoup, 'success');
        await closed;
      }
      async function cycles(count) {
        let next = 0;
        await Promise.all(Array.from({ length: IN_FLIGHT }, async () => {
          while (next++ < count) await cycle();
        }));
      }

      await cycles(200);  // the allocator's pools warm up
      await sleep(300);
      const before = workerUsage(worker.pid);
      await cycles(CYCLES);
      const after = await waitFor(async () => {
        const usage = workerUsage(worker.pid);
        return usage.fds <= before.fds ? usage : null;
      }, { timeoutMs: 5000, what: `worker fds back to ${before.fds}` }).catch(() => workerUsage(worker.pid));
      const grownMb = (after.rssKb - before.rssKb) / 1024;
      console.log(`worker over ${CYCLES} closed ICE-TCP transports: RSS ${before.rssKb} → ${after.rssKb} kB, fds ${before.fds} → ${after.fds}`);
      // Kept connections would hold about 60 KB each: CYCLES × 60 KB (about 60 MB for a thousand).
      assert.ok(grownMb < 12, `worker RSS grew ${grownMb.toFixed(1)} MB over ${CYCLES} closed transports (${JSON.stringify({ before, after })})`);
      assert.ok(after.fds <= before.fds, `worker fds ${before.fds} → ${after.fds}`);
      assert.equal(liveWorkers(janus.proc.pid)[0]?.pid, worker.pid, 'the worker survived');
      await peer.close();
    } finally {
      await janus.stop();
    }
  });
});
