// A Janus handle attached to janus.plugin.mediasoup (janus.js): the connection, the plugin's synchronous
// answers, and its events (to onEvent). The room clients build on it: RoomClient (mediasoup-client) and
// SdpRoomClient (a plain RTCPeerConnection, SDP in the message body).
import Janus from 'janus-gateway';
import adapter from 'webrtc-adapter';

const PLUGIN = 'janus.plugin.mediasoup';

let janusReady;
// Whatever janus.js or a request failed with, as one line of text.
export function describeCause(cause) {
  if (cause instanceof Error) return cause.message;
  if (typeof cause === 'string' && cause) return cause;
  if (cause && typeof cause === 'object') return JSON.stringify(cause);
  return 'no reason given (is the server running, and is the URL right?)';
}

// One received stream as both clients report it to the tests: who sent it, and what arrived and was decoded.
export function inboundEntry(consumer, stat, report) {
  return {
    ...consumer, codec: stat.codecId ? report.get(stat.codecId)?.mimeType : undefined, packetsReceived: stat.packetsReceived,
    bytesReceived: stat.bytesReceived, framesDecoded: stat.framesDecoded, frameWidth: stat.frameWidth,
    totalAudioEnergy: stat.totalAudioEnergy, totalSamplesReceived: stat.totalSamplesReceived,
  };
}

function initJanus() {
  janusReady ??= new Promise((resolve) => {
    Janus.init({ debug: false, dependencies: Janus.useDefaultDependencies({ adapter }), callback: resolve });
  });
  return janusReady;
}

export class JanusPeer extends EventTarget {
  constructor({ server }) {
    super();
    this.server = server;
    this.peers = new Map();          // peerId → { display, worker }
    this.layers = new Map();         // consumerId → { spatialLayer, temporalLayer } the worker now sends
    this.queue = Promise.resolve();  // work done one step at a time, in order
    this.generation = 0;             // bumped on every move: work begun before it may fail, quietly
    this.activeSpeaker = null;       // the peer id the room says is speaking (null: nobody)
    this.levels = new Map();         // peerId → its loudest producer's volume in the last interval (dBov)
    this.talking = new Set();        // peer ids talking (VideoRoom's talking / stopped-talking)
  }

  // What the join answer says of the room beyond its peers.
  joinedRoom(joined) {
    this.room = joined.room;
    this.worker = joined.worker;
    this.peerId = joined.peerId;
    this.activeSpeaker = joined.activeSpeaker ?? null;
    for (const peer of joined.peers) this.peers.set(peer.peerId, { display: peer.display, worker: peer.worker, appData: peer.appData });
  }

  // Sets our own display name; the others hear peerUpdated.
  setDisplay(display) {
    return this.request({ request: 'setDisplay', display });
  }

  enqueue(task) {
    const generation = this.generation;
    this.queue = this.queue.then(task).catch((error) => {
      // Work for a router that went away fails (448, closed transports): the move redoes it.
      if (generation === this.generation) this.emit('error', error);
    });
    return this.queue;
  }

  // The room events both kinds of client handle alike; true when it was one of them. A move (`moved`) calls
  // the client's rebuild().
  onRoomEvent(message) {
    switch (message.event) {
      case 'peerJoined':
        this.peers.set(message.peerId, { display: message.display, worker: message.worker, appData: message.appData });
        this.emit('peers');
        return true;
      case 'peerUpdated':
      case 'peerMoved': {
        // A known peer's display name changed, or its router moved to another worker.
        const peer = this.peers.get(message.peerId);
        if (peer && message.event === 'peerUpdated') peer.display = message.display;
        if (peer && message.event === 'peerMoved') peer.worker = message.worker;
        this.emit('peers');
        return true;
      }
      case 'activeSpeaker':
        this.activeSpeaker = message.peerId ?? null;
        this.emit('speaker', { peerId: this.activeSpeaker });
        return true;
      case 'audioLevels':
        this.levels.clear();
        for (const { peerId, volume } of message.levels) {
          if (!this.levels.has(peerId) || this.levels.get(peerId) < volume) this.levels.set(peerId, volume);
        }
        this.emit('levels', { levels: this.levels });
        return true;
      case 'silence':
        this.levels.clear();
        this.emit('levels', { levels: this.levels });
        return true;
      case 'talking':
      case 'stoppedTalking':
        if (message.event === 'talking') this.talking.add(message.peerId);
        else this.talking.delete(message.peerId);
        this.emit('talking', { peerId: message.peerId, talking: message.event === 'talking' });
        return true;
      case 'peerLeft':
        this.peers.delete(message.peerId);
        this.levels.delete(message.peerId);
        this.talking.delete(message.peerId);
        this.emit('peerleft', message);
        this.emit('peers');
        return true;
      case 'consumerLayersChanged':
        this.layers.set(message.consumerId, { spatialLayer: message.spatialLayer, temporalLayer: message.temporalLayer });
        this.emit('layers', message);
        return true;
      case 'roomClosed':
      case 'kicked':
        this.emit('roomclosed', message);
        return true;
      case 'moved':
        this.generation++;
        this.enqueue(() => this.rebuild(message));
        return true;
      default:
        return false;
    }
  }

  // Asks the worker for another simulcast/SVC layer of a consumer (it switches when the layer is there).
  setPreferredLayers(consumerId, spatialLayer, temporalLayer) {
    return this.request({ request: 'setPreferredLayers', consumerId, spatialLayer, temporalLayer });
  }

  emit(type, detail) {
    this.dispatchEvent(new CustomEvent(type, { detail }));
  }

  async connect() {
    await initJanus();
    // janus.js reports failures as bare strings (or nothing): name the server and the cause.
    const failed = (what) => (cause) => new Error(`${what}: ${describeCause(cause)}`);
    this.janus = await new Promise((resolve, reject) => {
      const janus = new Janus({
        server: this.server,
        success: () => resolve(janus),
        error: (cause) => reject(failed(`Janus at ${this.server} is unreachable`)(cause)),
        destroyed: () => this.emit('disconnected'),
      });
    });
    this.handle = await new Promise((resolve, reject) => {
      this.janus.attach({
        plugin: PLUGIN,
        success: resolve,
        error: (cause) => reject(failed(`Janus at ${this.server} has no ${PLUGIN} plugin`)(cause)),
        onmessage: (message) => this.onEvent(message),
      });
    });
  }

  // 448 is the one error worth asking again for: a worker busy past the request timeout, or a pipe between two
  // workers that failed while one of them was replaced. Three tries, then the error stands; a move (new
  // generation) makes the old request moot.
  async retryUnavailable(ask) {
    const generation = this.generation;
    for (let attempt = 1; ; attempt++) {
      try {
        return await ask();
      } catch (error) {
        if (error.code !== 448 || attempt === 3 || generation !== this.generation) throw error;
        await new Promise((resolve) => setTimeout(resolve, 250 * attempt));
      }
    }
  }

  // The plugin's synchronous answer; rejects with its error.
  request(body) {
    return new Promise((resolve, reject) => {
      this.handle.send({
        message: body,
        success: (data) => {
          if (data && data.error_code) reject(Object.assign(new Error(data.error), { code: data.error_code }));
          else resolve(data);
        },
        error: (error) => reject(new Error(String(error))),
      });
    });
  }

  // Leaves the room (if still in it) and drops our side of its media.
  async leave() {
    try {
      await this.request({ request: 'leave' });
    } catch {
      // already out (room destroyed, worker died)
    }
    this.closeMedia();
  }

  destroy() {
    return new Promise((resolve) => this.janus ? this.janus.destroy({ success: resolve, error: resolve }) : resolve());
  }
}
