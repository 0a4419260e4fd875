// Janus VideoRoom with janus.js, as a VideoRoom app does it, for bench/join_to_frame.mjs: window.bench.publish()
// publishes the fake camera into a room; window.bench.subscribeTime(feed) joins as a subscriber of a feed and
// resolves with the milliseconds from the join request (Janus session and handle included) to the first
// decoded video frame.
import Janus from 'janus-gateway';
import adapter from 'webrtc-adapter';

const params = new URLSearchParams(location.search);
const server = params.get('janus');
const room = Number(params.get('room'));
const ready = new Promise((resolve) => Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: resolve }));

function session() {
  return new Promise((resolve, reject) => {
    const janus = new Janus({ server, success: () => resolve(janus), error: reject });
  });
}

function attach(janus, onmessage, extra = {}) {
  return new Promise((resolve, reject) => {
    janus.attach({ plugin: 'janus.plugin.videoroom', success: resolve, error: reject, onmessage: (msg, jsep) => onmessage(msg, jsep), ...extra });
  });
}

async function publish() {
  await ready;
  const janus = await session();
  let handle;
  const joined = new Promise((resolve, reject) => {
    const onmessage = (msg, jsep) => {
      if (msg.videoroom === 'joined') resolve(msg.id);
      if (msg.error) reject(new Error(msg.error));
      if (jsep) handle.handleRemoteJsep({ jsep });
    };
    attach(janus, onmessage).then((h) => {
      handle = h;
      handle.send({ message: { request: 'create', room, publishers: 100, bitrate: 1000000, permanent: false } , success: () =>
        handle.send({ message: { request: 'join', ptype: 'publisher', room, display: 'bench publisher' } }) });
    }, reject);
  });
  const feed = await joined;
  await new Promise((resolve, reject) => handle.createOffer({
    tracks: [{ type: 'audio', capture: true, recv: false }, { type: 'video', capture: { width: 640, height: 480 }, recv: false }],
    success: (jsep) => { handle.send({ message: { request: 'configure', audio: true, video: true }, jsep }); resolve(); },
    error: reject,
  }));
  return feed;
}

async function subscribeTime(feed) {
  await ready;
  const t0 = performance.now();
  const janus = await session();
  let handle;
  const done = new Promise((resolve, reject) => {
    const onmessage = (msg, jsep) => {
      if (msg.error) reject(new Error(msg.error));
      if (!jsep) return;
      handle.createAnswer({
        jsep,
        tracks: [{ type: 'data' }],
        success: (answer) => handle.send({ message: { request: 'start', room }, jsep: answer }),
        error: reject,
      });
    };
    // Shown in a <video>, as an app shows it (the plugin's pages do the same): the same rendering work.
    const onremotetrack = (track, mid, on) => {
      if (!on || track.kind !== 'video') return;
      const video = document.createElement('video');
      video.autoplay = true;
      video.muted = true;
      video.srcObject = new MediaStream([track]);
      document.body.append(video);
    };
    attach(janus, onmessage, { onremotetrack }).then((h) => {
      handle = h;
      handle.send({ message: { request: 'join', ptype: 'subscriber', room, streams: [{ feed }] } });
      const poll = async () => {
        const pc = handle.webrtcStuff?.pc;
        if (pc) {
          const report = await pc.getStats();
          for (const stat of report.values()) {
            if (stat.type === 'inbound-rtp' && stat.kind === 'video' && stat.framesDecoded > 0) {
              resolve(performance.now() - t0);
              janus.destroy();
              return;
            }
          }
        }
        setTimeout(poll, 10);
      };
      poll();
    }, reject);
  });
  return done;
}

window.bench = { publish, subscribeTime };
