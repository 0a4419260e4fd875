// The plain-WebRTC room page: janus.js with an RTCPeerConnection per direction, SDP in the message body
// (SdpRoomClient), no mediasoup-client. Same rooms and URL parameters as the mediasoup-client page.
import { SdpRoomClient } from './SdpRoomClient.js';
import { startRoomPage } from './roomPage.js';

const simulcast = document.getElementById('simulcast');
simulcast.checked = new URLSearchParams(location.search).get('simulcast') === '1';

startRoomPage({
  createClient: (server) => new SdpRoomClient({ server }),
  afterJoin: async (client, page, { publishing }) => {
    if (publishing) await client.publish(page.localStream, { simulcast: simulcast.checked });
    await client.subscribe();
  },
  label: ' (plain WebRTC)',
});
