// Peers that publish an Opus tone over plain RTP with the audio-level header extension (gst_audio.py), at one
// of three volumes: loud (about -8 dBov), quiet (about -36) and silent (about -84, below the rooms' threshold).
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { attachPeer } from './harness.mjs';

const GST_AUDIO = fileURLToPath(new URL('./gst_audio.py', import.meta.url));
const AUDIO_LEVEL = 'urn:ietf:params:rtp-hdrext:ssrc-audio-level';
export const VOLUMES = { loud: 0.5, quiet: 0.02, silent: 0.0001 };

// A GStreamer tone into ip:port; resolves once it plays.
export async function tone(ip, port, ssrc, volume) {
  // Debian's python3 has the GObject bindings; another python3 may come first on PATH.
  const child = spawn('/usr/bin/python3', [GST_AUDIO, ip, String(port), String(ssrc), String(volume)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    new Promise((resolve) => createInterface({ input: child.stdout }).once('line', (l) => resolve([l]))),
    new Promise((_, reject) => child.once('exit', (code) => reject(new Error(`gst_audio.py exited ${code}`)))),
  ]);
  assert.ok(JSON.parse(line).playing, line);
  return { stop: () => child.kill('SIGKILL'), exited: new Promise((resolve) => child.once('exit', resolve)) };
}

// A peer publishing a tone: joins, a comedia plain transport, an Opus producer with the audio-level extension.
export async function publisher(janus, room, name, ssrc) {
  const peer = await attachPeer(janus);
  peer.joined = await peer.request({ request: 'join', room, display: name, appData: { source: 'mic', name } });
  assert.equal(peer.joined.mediasoup, 'joined', JSON.stringify(peer.joined));
  const transport = await peer.request({ request: 'createPlainTransport', direction: 'send', comedia: true });
  assert.equal(transport.mediasoup, 'plainTransport', JSON.stringify(transport));
  const produced = await peer.request({
    request: 'produce', transportId: transport.id, kind: 'audio', appData: { source: 'mic' },
    rtpParameters: {
      codecs: [{ mimeType: 'audio/opus', payloadType: 100, clockRate: 48000, channels: 2, parameters: {}, rtcpFeedback: [] }],
      headerExtensions: [{ uri: AUDIO_LEVEL, id: 1 }], encodings: [{ ssrc }], rtcp: { cname: name, reducedSize: true },
    },
  });
  assert.equal(produced.mediasoup, 'produced', JSON.stringify(produced));
  peer.name = name;
  peer.peerId = peer.joined.peerId;
  peer.producerId = produced.id;
  peer.tone = await tone(transport.ip, transport.port, ssrc, VOLUMES[name]);
  return peer;
}

