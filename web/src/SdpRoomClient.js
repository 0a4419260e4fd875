// A peer of a janus-mediasoup room that speaks plain WebRTC, as any janus.js (VideoRoom-style) app: one
// RTCPeerConnection publishes with publishSdp, one subscribes with subscribeSdp and answers the plugin's
// offers (sdpOffer events) as producers come and go. No mediasoup-client: the SDP travels in the message
// body (Janus's jsep would be rewritten by Janus core).
import { JanusPeer, inboundEntry } from './JanusPeer.js';

export class SdpRoomClient extends JanusPeer {
  constructor({ server }) {
    super({ server });
    this.consumers = new Map();   // mid → { consumerId, producerId, peerId, kind } of the subscriber's offer
    this.closedConsumers = [];    // consumer ids whose m-line an offer closed
    this.transportStates = new Map();  // transportId → { iceState, dtlsState } the plugin reported
  }

  async join(room, display) {
    const joined = await this.request({ request: 'join', room, display });
    this.joinedRoom(joined);
    this.emit('joined', joined);
    return joined;
  }

  // Camera and microphone in one PeerConnection; simulcast as janus.js sends it: rids h, m, l.
  async publish(stream, { simulcast = false } = {}) {
    this.localStream = stream;
    this.publishOptions = { simulcast };
    const pc = new RTCPeerConnection({ bundlePolicy: 'max-bundle' });
    this.publisher = pc;
    for (const track of stream.getTracks()) {
      const init = { direction: 'sendonly', streams: [stream] };
      if (track.kind === 'video' && simulcast) {
        init.sendEncodings = [
          { rid: 'h', maxBitrate: 1200000 },
          { rid: 'm', maxBitrate: 400000, scaleResolutionDownBy: 2 },
          { rid: 'l', maxBitrate: 150000, scaleResolutionDownBy: 4 },
        ];
      }
      pc.addTransceiver(track, init);
    }
    await pc.setLocalDescription(await pc.createOffer());
    const answer = await this.retryUnavailable(() => this.request({ request: 'publishSdp', sdp: pc.localDescription.sdp }));
    await pc.setRemoteDescription({ type: 'answer', sdp: answer.sdp });
    this.publisherTransportId = answer.transportId;
    this.producers = answer.producers;
    return answer;
  }

  // Everyone of the room, now and later (autoUpdate): each offer is answered as it comes.
  async subscribe() {
    // Not max-bundle: the first offer of an empty room has no m-line, so no BUNDLE group, which max-bundle refuses.
    const pc = new RTCPeerConnection();
    this.subscriber = pc;
    pc.ontrack = ({ transceiver, track }) => {
      const consumer = this.consumers.get(transceiver.mid);
      if (!consumer) return;
      this.emit('track', { ...consumer, display: this.peers.get(consumer.peerId)?.display, track });
    };
    const offer = await this.retryUnavailable(() => this.request({ request: 'subscribeSdp' }));
    await this.answer(offer);
  }

  async answer(offer) {
    const pc = this.subscriber;
    if (!pc || (this.subscriberTransportId && offer.transportId !== this.subscriberTransportId)) return;
    this.subscriberTransportId = offer.transportId;
    const offered = new Map(offer.consumers.map((c) => [c.mid, { consumerId: c.id, producerId: c.producerId, peerId: c.peerId, kind: c.kind }]));
    // An m-line closed (its producer went away), or reused by another consumer: its old track ends.
    for (const [mid, consumer] of this.consumers) {
      if (offered.get(mid)?.consumerId === consumer.consumerId) continue;
      this.closedConsumers.push(consumer.consumerId);
      this.emit('trackended', consumer);
    }
    this.consumers = offered;
    await pc.setRemoteDescription({ type: 'offer', sdp: offer.sdp });
    await pc.setLocalDescription(await pc.createAnswer());
    await this.request({ request: 'sdpAnswer', transportId: offer.transportId, sdp: pc.localDescription.sdp });
  }

  // The room moved to another worker: the old transports are gone. Publish and subscribe again, with no
  // user action.
  async rebuild({ worker }) {
    this.worker = worker;
    this.closeMedia();
    if (this.localStream) await this.publish(this.localStream, this.publishOptions);
    await this.subscribe();
    this.emit('moved', { worker });
  }

  closeMedia() {
    for (const consumer of this.consumers.values()) this.emit('trackended', consumer);
    this.consumers.clear();
    this.publisher?.close();
    this.subscriber?.close();
    this.publisher = this.subscriber = undefined;
    this.subscriberTransportId = undefined;
  }

  onEvent(message) {
    if (this.onRoomEvent(message)) return;
    switch (message.event) {
      case 'sdpOffer':
        this.enqueue(() => this.answer(message));
        break;
      case 'transportState':
        this.transportStates.set(message.transportId, { iceState: message.iceState, dtlsState: message.dtlsState });
        break;
      default:
        this.emit('event', message);
    }
  }

  // The media received, per consumer, as RoomClient reports it (the tests read both the same way).
  async inboundStats() {
    if (!this.subscriber) return [];
    const report = await this.subscriber.getStats();
    const result = [];
    for (const stat of report.values()) {
      if (stat.type !== 'inbound-rtp') continue;
      const consumer = this.consumers.get(stat.mid);
      if (!consumer) continue;
      const { consumerId, peerId, kind } = consumer;
      result.push(inboundEntry({ consumerId, peerId, kind }, stat, report));
    }
    return result;
  }
}
