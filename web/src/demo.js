// The demo room page (mediasoup-client): join a room, publish camera and microphone, see and hear everyone
// else, share a screen, chat over a data channel. URL parameters as roomPage.js, and codec (VP8, VP9, H264).
import { RoomClient } from './RoomClient.js';
import { startRoomPage } from './roomPage.js';

const $ = (id) => document.getElementById(id);
const params = new URLSearchParams(location.search);
$('codec').value = params.get('codec') ?? '';

function addMessage(who, text) {
  const item = document.createElement('li');
  item.textContent = `${who}: ${text}`;
  $('messages').append(item);
}

function showScreen(track) {
  $('local-screen').srcObject = track ? new MediaStream([track]) : null;
  $('local-screen-tile').hidden = !track;
  $('share').textContent = track ? 'Stop sharing' : 'Share screen';
}

const state = startRoomPage({
  createClient: (server) => new RoomClient({ server }),
  onClient: (client) => {
    client.addEventListener('message', ({ detail }) => addMessage(detail.display || 'peer', detail.message));
    client.addEventListener('screenended', () => showScreen(null));
  },
  afterJoin: async (client, page, { publishing, simulcast }) => {
    if (publishing) await client.publish(page.localStream, { codec: $('codec').value || undefined, simulcast });
    await client.openDataChannel('chat');
    $('chat').hidden = false;
    $('share').disabled = !publishing;
  },
  onReset: () => {
    $('chat').hidden = true;
    $('share').disabled = true;
    state?.client?.stopScreen();
    showScreen(null);
  },
});

$('share').addEventListener('click', async () => {
  const client = state.client;
  if (!client) return;
  try {
    if (client.screenProducer) await client.stopScreen();
    else showScreen(await client.shareScreen());
  } catch (error) {
    // The user cancelled the picker, or the browser cannot capture: the call goes on without it.
    state.errors.push(`screen share: ${error.message}`);
  }
});

$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text) return;
  state.client?.send(text);
  addMessage('you', text);
  $('chat-input').value = '';
});
