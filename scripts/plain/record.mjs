#!/usr/bin/env node
// Records a peer of a room to a WebM file: its video (VP8) and audio (Opus) come out of the room's worker as
// plain RTP (or SRTP) to GStreamer, which writes them without re-encoding.
//
//   node scripts/plain/record.mjs --room demo --out peer.webm [--peer PEER_ID] [--srtp AES_CM_128_HMAC_SHA1_80]
//        [--janus http://127.0.0.1:8088/janus]
//
// Without --peer it records the first peer that publishes video. It prints the gst-launch-1.0 command it
// runs; Ctrl-C (or SIGTERM) finishes the file and leaves the room.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { createSocket } from 'node:dgram';
import { resolve } from 'node:path';
import { joinRoom, parseArgs, shellLine, SRTP_SUITES } from './janus-peer.mjs';

const args = parseArgs(process.argv.slice(2), {
  janus: 'http://127.0.0.1:8088/janus', room: '', out: '', peer: '', srtp: '', display: 'recorder',
});
if (!args.room || !args.out) throw new Error('--room and --out are required');
if (args.srtp && !SRTP_SUITES[args.srtp]) throw new Error(`--srtp takes one of ${Object.keys(SRTP_SUITES).join(', ')}`);
const suite = args.srtp ? SRTP_SUITES[args.srtp] : null;

// What this recorder takes: VP8 and Opus, no RTCP feedback (GStreamer sends none).
const CAPABILITIES = {
  codecs: [
    { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, preferredPayloadType: 101, parameters: {}, rtcpFeedback: [] },
    { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2, preferredPayloadType: 100, parameters: {}, rtcpFeedback: [] },
  ],
  headerExtensions: [],
};

const peer = await joinRoom(args.janus, args.room, args.display);

// The peer's producers, now or once it publishes video.
function producersOf() {
  const found = new Map();  // peerId → {video, audio}
  for (const p of peer.joined.peers) {
    for (const producer of p.producers) found.set(p.peerId, { ...found.get(p.peerId), [producer.kind]: producer.id });
  }
  for (const e of peer.events) {
    if (e.event === 'newProducer') found.set(e.peerId, { ...found.get(e.peerId), [e.kind]: e.producerId });
  }
  for (const [peerId, producers] of found) {
    if ((!args.peer || peerId === args.peer) && producers.video) return { peerId, ...producers };
  }
  return null;
}
let target = producersOf();
if (!target) {
  console.error(`waiting for ${args.peer ? `peer ${args.peer}` : 'a peer'} to publish video in ${args.room}…`);
  target = await new Promise((done) => {
    const stop = peer.onEvent(() => {
      const found = producersOf();
      if (found) { stop(); done(found); }
    });
  });
}
// Audio comes with video or shortly after: give it a moment.
if (!target.audio) {
  await new Promise((r) => setTimeout(r, 1000));
  target = producersOf();
}

const freePort = () => new Promise((done) => {
  const socket = createSocket('udp4');
  socket.bind(0, '127.0.0.1', () => {
    const { port } = socket.address();
    socket.close(() => done(port));
  });
});

// One plain transport per stream, each to its own GStreamer socket; the worker's key when SRTP is on. With
// SRTP the worker's RTCP gets a port of its own: GStreamer's srtpdec ends a stream (end-of-stream, so the
// file is finished) only on the pad it came in on, so muxed RTCP would keep the recording from ending.
async function consume(producerId) {
  const transport = await peer.request({
    request: 'createPlainTransport', direction: 'recv',
    ...(suite ? { enableSrtp: true, srtpCryptoSuite: args.srtp, rtcpMux: false } : {}),
  });
  const port = await freePort();
  const rtcpPort = suite ? await freePort() : 0;
  await peer.request({
    request: 'connectPlainTransport', transportId: transport.id, ip: '127.0.0.1', port,
    ...(suite ? { rtcpPort, srtpParameters: { cryptoSuite: args.srtp, keyBase64: randomBytes(suite.keyBytes).toString('base64') } } : {}),
  });
  const consumer = await peer.request({ request: 'consume', transportId: transport.id, producerId, rtpCapabilities: CAPABILITIES });
  return { transport, consumer, port, rtcpPort, key: transport.srtpParameters && Buffer.from(transport.srtpParameters.keyBase64, 'base64') };
}
const streams = { video: await consume(target.video), ...(target.audio ? { audio: await consume(target.audio) } : {}) };

// The RTP (or SRTP) caps of a stream for udpsrc.
function caps(stream, media, extra) {
  const codec = stream.consumer.rtpParameters.codecs[0];
  const rtp = `media=${media},clock-rate=${codec.clockRate},encoding-name=${codec.mimeType.split('/')[1].toUpperCase()},payload=${codec.payloadType}${extra}`;
  if (!suite) return `application/x-rtp,${rtp}`;
  return `application/x-srtp,${rtp},${keyCaps(stream)}`;
}
const keyCaps = (stream) => `ssrc=(uint)${stream.consumer.rtpParameters.encodings[0].ssrc},srtp-key=(buffer)${stream.key.toString('hex')},` +
  `srtp-cipher=${suite.cipher},srtp-auth=${suite.auth},srtcp-cipher=${suite.cipher},srtcp-auth=${suite.auth}`;
// A stream's source: its RTP socket, and with SRTP srtpdec (RTP and RTCP in, the RTCP dropped after it).
function source(stream, name, media, extra) {
  const rtp = `udpsrc address=127.0.0.1 port=${stream.port} caps=${caps(stream, media, extra)}`;
  if (!suite) return rtp;
  return `${rtp} ! ${name}.rtp_sink udpsrc address=127.0.0.1 port=${stream.rtcpPort} caps=application/x-srtcp,${keyCaps(stream)}` +
    ` ! ${name}.rtcp_sink srtpdec name=${name} ${name}.rtcp_src ! fakesink ${name}.rtp_src`;
}
const branches = [
  source(streams.video, 'videodec', 'video', ''),
  '! rtpjitterbuffer latency=200 ! rtpvp8depay ! queue ! mux.video_0',
];
if (streams.audio) {
  branches.push(source(streams.audio, 'audiodec', 'audio', ',encoding-params=(string)2'),
    '! rtpjitterbuffer latency=200 ! rtpopusdepay ! opusparse ! queue ! mux.audio_0');
}
const pipeline = [...branches, `webmmux name=mux ! filesink location=${resolve(args.out)}`].join(' ');

const command = ['gst-launch-1.0', '-e', ...pipeline.split(' ')];
console.error(shellLine(command));
const gst = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
// Its sockets are bound once it runs: then the worker may send (resuming asks the publisher for a keyframe).
await new Promise((r) => setTimeout(r, 500));
for (const stream of Object.values(streams)) await peer.request({ request: 'resumeConsumer', consumerId: stream.consumer.id });
console.log(JSON.stringify({ recording: resolve(args.out), peerId: target.peerId, producers: target, srtp: args.srtp || null }));

let stopping = false;
const stop = async () => {
  if (stopping) return;
  stopping = true;
  await peer.close();
  gst.kill('SIGINT');  // -e: an end-of-stream first, so the WebM file is finished
};
gst.on('exit', (code) => process.exit(code ?? 0));
process.on('SIGINT', stop);
process.on('SIGTERM', stop);
// The recording ends, its file finished, when the peer stops publishing video, the room closes, or this
// recorder's worker goes away (its consumers with it): run it again to record anew.
peer.onEvent((e) => {
  const ended = (e.event === 'producerClosed' && e.producerId === target.video) ? 'the peer stopped publishing video'
    : e.event === 'roomClosed' ? `the room closed (${e.reason})`
      : e.event === 'moved' ? `this recorder moved to another worker (${e.reason})` : null;
  if (!ended) return;
  console.error(`recording ended: ${ended}`);
  stop();
});
