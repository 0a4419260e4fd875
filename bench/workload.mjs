// The per-room workload every driver runs: join (a new room: a router), a send and a recv WebRTC transport,
// a VP8 producer, a consumer of it, then leave (everything closes). Same parameters everywhere.
export const VP8_PARAMETERS = {
  codecs: [
    { mimeType: 'video/VP8', payloadType: 96, clockRate: 90000, rtcpFeedback: [{ type: 'nack' }, { type: 'nack', parameter: 'pli' }] },
    { mimeType: 'video/rtx', payloadType: 97, clockRate: 90000, parameters: { apt: 96 } },
  ],
  headerExtensions: [{ uri: 'urn:ietf:params:rtp-hdrext:sdes:mid', id: 1 }],
  encodings: [{ ssrc: 1111, rtx: { ssrc: 1112 } }],
  rtcp: { cname: 'bench' },
  mid: '0',
};
export const MEDIA_CODECS = [
  { kind: 'audio', mimeType: 'audio/opus', clockRate: 48000, channels: 2 },
  { kind: 'video', mimeType: 'video/VP8', clockRate: 90000, parameters: { 'x-google-start-bitrate': 1000 } },
];

// A plugin request through a harness peer (HTTP or WebSocket); an error answer stops the bench.
export async function askOk(peer, body) {
  const answer = await peer.request(body);
  if (answer.error_code) throw new Error(`${body.request}: ${answer.error}`);
  return answer;
}

// Runs `rooms` iterations of one(i) with `concurrency` in flight; latency per iteration in ms.
export async function measure(rooms, concurrency, one) {
  const latencies = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(Array.from({ length: concurrency }, async (_, lane) => {
    for (let i = next++; i < rooms; i = next++) {
      const begin = performance.now();
      await one(i, lane);
      latencies.push(performance.now() - begin);
    }
  }));
  const seconds = (performance.now() - started) / 1000;
  latencies.sort((a, b) => a - b);
  const at = (q) => latencies[Math.min(latencies.length - 1, Math.floor(q * latencies.length))];
  return { roomsPerSecond: +(rooms / seconds).toFixed(1), p50Ms: +at(0.5).toFixed(3), p95Ms: +at(0.95).toFixed(3), p99Ms: +at(0.99).toFixed(3) };
}
