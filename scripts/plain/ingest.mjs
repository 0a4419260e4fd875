#!/usr/bin/env node
// Streams a file (or GStreamer's test picture and tone) into a room as a peer: VP8 + Opus over one plain RTP
// (or SRTP) transport, encoded by GStreamer. Everyone in the room receives it like any peer's media.
//
//   node scripts/plain/ingest.mjs --room demo [--file movie.webm] [--srtp AES_CM_128_HMAC_SHA1_80]
//        [--janus http://127.0.0.1:8088/janus] [--display encoder]
//
// It prints the gst-launch-1.0 command it runs; Ctrl-C (or SIGTERM) stops it and leaves the room.
import { spawn } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { resolve } from 'node:path';
import { joinRoom, parseArgs, shellLine, SRTP_SUITES } from './janus-peer.mjs';

const args = parseArgs(process.argv.slice(2), {
  janus: 'http://127.0.0.1:8088/janus', room: '', display: 'encoder', file: '', srtp: '', width: '640', height: '360',
});
if (!args.room) throw new Error('--room is required');
if (args.srtp && !SRTP_SUITES[args.srtp]) throw new Error(`--srtp takes one of ${Object.keys(SRTP_SUITES).join(', ')}`);

const AUDIO = { payloadType: 100, ssrc: 11111111 };
const VIDEO = { payloadType: 101, ssrc: 22222222 };

const peer = await joinRoom(args.janus, args.room, args.display);
const suite = args.srtp ? SRTP_SUITES[args.srtp] : null;
const rtcp = { cname: args.display, reducedSize: true };
// GStreamer does not answer RTCP keyframe requests: a keyframe every second lets late receivers start.
const source = args.file
  ? { video: `filesrc location=${resolve(args.file)} ! decodebin name=d d. ! queue`, audio: 'd. ! queue' }
  : { video: 'videotestsrc is-live=true pattern=ball', audio: 'audiotestsrc is-live=true wave=ticks' };

// The transport, the producers and GStreamer sending to them. Again after a move: the old ones went away
// with their worker, and the room's others get the new producers as from any peer.
async function publish(reason) {
  // comedia: the worker learns GStreamer's address from its first packet; one socket carries audio and video.
  const transport = await peer.request({
    request: 'createPlainTransport', direction: 'send', comedia: true,
    ...(suite ? { enableSrtp: true, srtpCryptoSuite: args.srtp } : {}),
  });
  const key = suite ? randomBytes(suite.keyBytes) : null;  // what GStreamer encrypts with
  await peer.request({
    request: 'connectPlainTransport', transportId: transport.id,
    ...(suite ? { srtpParameters: { cryptoSuite: args.srtp, keyBase64: key.toString('base64') } } : {}),
  });
  const audio = await peer.request({
    request: 'produce', transportId: transport.id, kind: 'audio', rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: AUDIO.payloadType, clockRate: 48000, channels: 2, parameters: { 'sprop-stereo': 1 }, rtcpFeedback: [] }],
      encodings: [{ ssrc: AUDIO.ssrc }], rtcp,
    },
  });
  const video = await peer.request({
    request: 'produce', transportId: transport.id, kind: 'video', rtpParameters: {
      codecs: [{ mimeType: 'video/VP8', payloadType: VIDEO.payloadType, clockRate: 90000, parameters: {}, rtcpFeedback: [] }],
      encodings: [{ ssrc: VIDEO.ssrc }], rtcp,
    },
  });
  const srtpenc = suite
    ? ` ! srtpenc key=${key.toString('hex')} rtp-cipher=${suite.cipher} rtp-auth=${suite.auth} rtcp-cipher=${suite.cipher} rtcp-auth=${suite.auth}`
    : '';
  const pipeline = [
    `${source.video} ! videoconvert ! videoscale ! videorate ! video/x-raw,width=${args.width},height=${args.height},framerate=30/1`,
    '! vp8enc deadline=1 cpu-used=8 target-bitrate=1000000 keyframe-max-dist=30 error-resilient=partitions',
    `! rtpvp8pay pt=${VIDEO.payloadType} ssrc=${VIDEO.ssrc} picture-id-mode=15-bit mtu=1200 ! mux.`,
    `${source.audio} ! audioconvert ! audioresample ! audio/x-raw,rate=48000,channels=2 ! opusenc`,
    `! rtpopuspay pt=${AUDIO.payloadType} ssrc=${AUDIO.ssrc} ! mux.`,
    `funnel name=mux${srtpenc} ! udpsink host=${transport.ip} port=${transport.port}`,
  ].join(' ');
  console.log(JSON.stringify({
    streaming: args.room, peerId: peer.joined.peerId, worker: peer.worker, transport,
    producers: { audio: audio.id, video: video.id }, ...(reason ? { reason } : {}),
  }));
  const command = ['gst-launch-1.0', '-e', ...pipeline.split(' ')];
  console.error(shellLine(command));
  const gst = spawn(command[0], command.slice(1), { stdio: ['ignore', 'ignore', 'inherit'] });
  gst.on('exit', (code) => { if (gst === current) stop(code ?? 0); });  // the stream ended (a file) or failed
  return gst;
}

let stopping = false;
let current = null;
async function stop(code) {
  if (stopping) return;
  stopping = true;
  current?.kill('SIGINT');
  await peer.close();
  process.exit(code);
}
peer.worker = peer.joined.worker;
current = await publish();
peer.onEvent(async (e) => {
  if (stopping) return;
  if (e.event === 'roomClosed') {
    console.error(`the room closed (${e.reason})`);
    return stop(0);
  }
  if (e.event !== 'moved') return;
  // Our worker died or was drained: the room goes on elsewhere; so does the stream.
  const old = current;
  current = null;
  old?.kill('SIGKILL');
  peer.worker = e.worker;
  try {
    current = await publish(e.reason);
  } catch (error) {
    console.error(`could not publish again after the move: ${error.message}`);
    stop(1);
  }
});
process.on('SIGINT', () => stop(0));
process.on('SIGTERM', () => stop(0));
