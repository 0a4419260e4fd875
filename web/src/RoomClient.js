// A peer of a janus-mediasoup room: Janus (janus.js) carries the signaling to the plugin, mediasoup-client
// sends and receives the media straight to and from the room's mediasoup worker.
import { Device } from 'mediasoup-client';
import { JanusPeer, inboundEntry } from './JanusPeer.js';

export { describeCause } from './JanusPeer.js';

// mediasoup-client 3.24 has no Device.sctpCapabilities: announce the usual stream counts ourselves.
const SCTP_CAPABILITIES = { numStreams: { OS: 1024, MIS: 1024 } };

export class RoomClient extends JanusPeer {
  constructor({ server }) {
    super({ server });
    this.consumers = new Map();  // consumerId → { consumer, peerId, kind }
    this.dataConsumers = new Map();
    this.producers = new Map();  // kind → producer
    this.closedConsumers = [];   // consumer ids closed because their producer went away
    this.messages = [];          // data channel messages received
  }

  async join(room, display) {
    const joined = await this.request({ request: 'join', room, display });
    this.joinedRoom(joined);
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities: joined.routerRtpCapabilities });
    this.sendTransport = await this.createTransport('send');
    this.recvTransport = await this.createTransport('recv');
    for (const peer of joined.peers) {
      for (const p of peer.producers) this.enqueue(() => this.consume(peer.peerId, p.id, p.appData));
      for (const d of peer.dataProducers) this.enqueue(() => this.consumeData(peer.peerId, d.id));
    }
    this.emit('joined', joined);
    return joined;
  }

  async createTransport(direction) {
    const info = await this.request({ request: 'createWebRtcTransport', direction, sctpCapabilities: SCTP_CAPABILITIES });
    const options = {
      id: info.id, iceParameters: info.iceParameters, iceCandidates: info.iceCandidates,
      dtlsParameters: info.dtlsParameters, sctpParameters: info.sctpParameters,
    };
    const transport = direction === 'send' ? this.device.createSendTransport(options) : this.device.createRecvTransport(options);
    transport.on('connect', ({ dtlsParameters }, callback, errback) => {
      this.request({ request: 'connectWebRtcTransport', transportId: transport.id, dtlsParameters }).then(() => callback(), errback);
    });
    transport.on('connectionstatechange', (state) => this.emit('transportstate', { direction, state }));
    if (direction === 'send') {
      transport.on('produce', ({ kind, rtpParameters, appData }, callback, errback) => {
        this.request({ request: 'produce', transportId: transport.id, kind, rtpParameters, appData })
          .then(({ id }) => callback({ id }), errback);
      });
      transport.on('producedata', ({ sctpStreamParameters, label, protocol, appData }, callback, errback) => {
        this.request({ request: 'produceData', transportId: transport.id, sctpStreamParameters, label, protocol, appData })
          .then(({ id }) => callback({ id }), errback);
      });
    }
    return transport;
  }

  // codec: a mimeType suffix ("VP8", "VP9", "H264") to prefer for video; simulcast: send three encodings
  // (quarter, half and full resolution) so each consumer gets the layer its link and wishes allow.
  async publish(stream, { codec, simulcast = false } = {}) {
    // Kept to publish again on the next router after a move.
    this.localStream = stream;
    this.publishOptions = { codec, simulcast };
    for (const track of stream.getTracks()) {
      // stopTracks false: the camera and microphone outlive a producer lost with its worker.
      const options = { track, stopTracks: false };
      if (track.kind === 'video' && simulcast) {
        options.encodings = [
          { scaleResolutionDownBy: 4, maxBitrate: 150000 },
          { scaleResolutionDownBy: 2, maxBitrate: 400000 },
          { scaleResolutionDownBy: 1, maxBitrate: 1200000 },
        ];
      }
      if (track.kind === 'video' && codec) {
        options.codec = this.device.rtpCapabilities.codecs.find((c) => c.mimeType.toLowerCase() === `video/${codec.toLowerCase()}`);
        if (!options.codec) throw new Error(`this browser and router share no ${codec} codec`);
      }
      // appData tells the others what this is (the demo gives a screen share a tile of its own).
      options.appData = { source: track.kind === 'video' ? 'camera' : 'mic' };
      const producer = await this.sendTransport.produce(options);
      this.producers.set(track.kind, producer);
    }
  }

  // Shares a screen or window (getDisplayMedia) as one more video producer, appData {source: 'screen'}; the
  // browser's own "Stop sharing" ends it. Resolves with the track (null when the user cancelled).
  async shareScreen() {
    if (this.screenProducer) return this.screenProducer.track;
    const stream = await navigator.mediaDevices.getDisplayMedia({ video: true, audio: false });
    const [track] = stream.getVideoTracks();
    this.screenTrack = track;
    track.addEventListener('ended', () => this.stopScreen());
    await this.produceScreen();
    return track;
  }

  async produceScreen() {
    this.screenProducer = await this.sendTransport.produce({ track: this.screenTrack, stopTracks: false, appData: { source: 'screen' } });
  }

  async stopScreen() {
    const producer = this.screenProducer;
    this.screenTrack?.stop();
    this.screenTrack = undefined;
    this.screenProducer = undefined;
    if (!producer) return;
    producer.close();
    this.emit('screenended');
    await this.request({ request: 'closeProducer', producerId: producer.id }).catch(() => {});
  }

  async closeProducer(kind) {
    const producer = this.producers.get(kind);
    if (!producer) return;
    producer.close();
    this.producers.delete(kind);
    await this.request({ request: 'closeProducer', producerId: producer.id });
  }

  async openDataChannel(label = 'chat') {
    this.dataLabel = label;
    this.dataProducer = await this.sendTransport.produceData({ label, ordered: true });
    return this.dataProducer;
  }

  send(text) {
    this.dataProducer?.send(text);
  }

  // The room's router went away with its worker and the plugin placed us on another one: the old transports,
  // producers and consumers are gone. Set media up again there, with no user action: new transports, publish
  // the same tracks again; the others' new producers arrive as newProducer events, consumed as usual.
  async rebuild({ worker, routerRtpCapabilities, peers = [] }) {
    this.worker = worker;
    for (const [consumerId, { consumer, peerId, kind, appData }] of this.consumers) {
      consumer.close();
      this.emit('trackended', { consumerId, peerId, kind, appData });
    }
    this.consumers.clear();
    for (const { dataConsumer } of this.dataConsumers.values()) dataConsumer.close();
    this.dataConsumers.clear();
    for (const producer of this.producers.values()) producer.close();
    this.producers.clear();
    this.screenProducer?.close();
    this.screenProducer = undefined;
    this.dataProducer?.close();
    this.dataProducer = undefined;
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.device = new Device();
    await this.device.load({ routerRtpCapabilities });
    this.sendTransport = await this.createTransport('send');
    this.recvTransport = await this.createTransport('recv');
    if (this.localStream) await this.publish(this.localStream, this.publishOptions);
    if (this.screenTrack?.readyState === 'live') await this.produceScreen();
    if (this.dataLabel) await this.openDataChannel(this.dataLabel);
    // What the others publish right now (on this router or piped from theirs); later ones come as events.
    for (const peer of peers) {
      this.peers.set(peer.peerId, { display: peer.display, worker: peer.worker, appData: peer.appData });
      for (const p of peer.producers) this.enqueue(() => this.consume(peer.peerId, p.id, p.appData));
      for (const d of peer.dataProducers) this.enqueue(() => this.consumeData(peer.peerId, d.id));
    }
    this.emit('moved', { worker });
  }

  // appData: the producer's, as the plugin gave it (newProducer, join, moved).
  async consume(peerId, producerId, appData = {}) {
    const info = await this.retryUnavailable(() => this.request({
      request: 'consume', transportId: this.recvTransport.id, producerId, rtpCapabilities: this.device.rtpCapabilities,
    }));
    const consumer = await this.recvTransport.consume({
      id: info.id, producerId: info.producerId, kind: info.kind, rtpParameters: info.rtpParameters,
    });
    this.consumers.set(consumer.id, { consumer, peerId, kind: info.kind, type: info.type, appData });
    // Created paused on the server: resume once our side is ready, so the first packets are not lost.
    await this.request({ request: 'resumeConsumer', consumerId: consumer.id });
    this.emit('track', { peerId, display: this.peers.get(peerId)?.display, kind: info.kind, track: consumer.track, consumerId: consumer.id, appData });
  }

  async consumeData(peerId, dataProducerId) {
    const info = await this.retryUnavailable(() => this.request({ request: 'consumeData', transportId: this.recvTransport.id, dataProducerId }));
    const dataConsumer = await this.recvTransport.consumeData({
      id: info.id, dataProducerId: info.dataProducerId, sctpStreamParameters: info.sctpStreamParameters,
      label: info.label, protocol: info.protocol,
    });
    this.dataConsumers.set(dataConsumer.id, { dataConsumer, peerId });
    dataConsumer.on('message', (message) => {
      const entry = { peerId, display: this.peers.get(peerId)?.display, label: info.label, message: String(message) };
      this.messages.push(entry);
      this.emit('message', entry);
    });
  }

  onEvent(message) {
    if (this.onRoomEvent(message)) return;
    switch (message.event) {
      case 'newProducer':
        this.enqueue(() => this.consume(message.peerId, message.producerId, message.appData));
        break;
      case 'newDataProducer':
        this.enqueue(() => this.consumeData(message.peerId, message.dataProducerId));
        break;
      case 'consumerClosed': {
        const entry = this.consumers.get(message.consumerId);
        entry?.consumer.close();
        this.consumers.delete(message.consumerId);
        this.closedConsumers.push(message.consumerId);
        this.emit('trackended', { consumerId: message.consumerId, peerId: entry?.peerId, kind: entry?.kind, appData: entry?.appData });
        break;
      }
      case 'dataConsumerClosed':
        this.dataConsumers.get(message.dataConsumerId)?.dataConsumer.close();
        this.dataConsumers.delete(message.dataConsumerId);
        break;
      default:
        this.emit('event', message);
    }
  }

  // What a test (or a curious person) wants to know about the media received.
  async inboundStats() {
    const result = [];
    for (const [consumerId, { consumer, peerId, kind, type, appData }] of this.consumers) {
      const report = await consumer.getStats();
      for (const stat of report.values()) {
        if (stat.type !== 'inbound-rtp') continue;
        result.push(inboundEntry({ consumerId, peerId, kind, type, source: appData?.source }, stat, report));
      }
    }
    return result;
  }

  closeMedia() {
    this.sendTransport?.close();
    this.recvTransport?.close();
    this.consumers.clear();
  }
}
