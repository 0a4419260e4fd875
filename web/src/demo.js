// The demo room page: join a room, publish camera and microphone, see and hear everyone else, chat over a
// data channel. URL parameters: janus (Janus WebSocket or HTTP API URL, default ws://<host>:8188), room, name, codec, simulcast=1, autojoin=1,
// publish=0 (a viewer: receive only, no camera or microphone).
import { RoomClient, describeCause } from './RoomClient.js';

const params = new URLSearchParams(location.search);
// WebSocket by default: one connection per page (HTTP long-polls hit the browser's 6 connections per host).
const janusUrl = params.get('janus') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:8188`;
const $ = (id) => document.getElementById(id);

$('room').value = params.get('room') ?? $('room').value;
$('name').value = params.get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;
$('codec').value = params.get('codec') ?? '';

const state = { client: null, localStream: null, tiles: new Map(), error: null, errors: [] };
window.demo = state;  // for tests and the curious

function status(text, isError = false) {
  $('status').textContent = text;
  $('status').classList.toggle('error', isError);
  if (isError) state.error = text;
}

function peerTile(peerId, display) {
  let tile = state.tiles.get(peerId);
  if (!tile) {
    const figure = document.createElement('figure');
    figure.className = 'tile';
    figure.dataset.peerId = peerId;
    const video = document.createElement('video');
    video.autoplay = true;
    video.playsInline = true;
    const caption = document.createElement('figcaption');
    figure.append(video, caption);
    $('videos').append(figure);
    tile = { figure, video, caption, stream: new MediaStream() };
    video.srcObject = tile.stream;
    state.tiles.set(peerId, tile);
  }
  const worker = state.client?.peers.get(peerId)?.worker;
  tile.caption.textContent = `${display || 'peer'}${worker === undefined || worker === null ? '' : ` · worker ${worker}`}`;
  return tile;
}

function refreshStatus() {
  const c = state.client;
  if (!c?.room) return;
  // Each tile says which worker its peer is on (a room can span several).
  for (const [peerId, tile] of state.tiles) peerTile(peerId, c.peers.get(peerId)?.display);
  $('local-caption').textContent = `${$('name').value} (you) · worker ${c.worker}`;
  status(`In room "${c.room}" on worker ${c.worker} — ${c.peers.size} other peer${c.peers.size === 1 ? '' : 's'}.`);
}

async function join() {
  $('join').disabled = true;
  state.error = null;
  try {
    const publishing = params.get('publish') !== '0';
    if (publishing) {
      status('Starting camera and microphone…');
      state.localStream = await navigator.mediaDevices.getUserMedia({ audio: true, video: { width: 640, height: 480 } });
      $('local-video').srcObject = state.localStream;
      $('local-tile').hidden = false;
      $('local-caption').textContent = `${$('name').value} (you)`;
    }

    status('Connecting to Janus…');
    const client = new RoomClient({ server: janusUrl });
    state.client = client;
    client.addEventListener('track', ({ detail }) => {
      const tile = peerTile(detail.peerId, detail.display);
      tile.stream.addTrack(detail.track);
      if (detail.kind === 'video') tile.video.play().catch(() => {});
    });
    client.addEventListener('trackended', ({ detail }) => {
      const tile = state.tiles.get(detail.peerId);
      if (!tile) return;
      for (const track of tile.stream.getTracks()) if (track.readyState === 'ended') tile.stream.removeTrack(track);
    });
    client.addEventListener('peerleft', ({ detail }) => {
      state.tiles.get(detail.peerId)?.figure.remove();
      state.tiles.delete(detail.peerId);
    });
    client.addEventListener('peers', refreshStatus);
    // The worker died and the room moved: the client set everything up again by itself.
    client.addEventListener('moved', refreshStatus);
    client.addEventListener('message', ({ detail }) => addMessage(detail.display || 'peer', detail.message));
    client.addEventListener('roomclosed', ({ detail }) => {
      status(`The room closed (${detail.reason}).`, true);
      // The room is gone with its transports: drop our side of them and the Janus session too.
      client.sendTransport?.close();
      client.recvTransport?.close();
      client.destroy();
      reset();
    });
    client.addEventListener('error', ({ detail }) => {
      state.errors.push(detail.message);  // every one, for tests: the status line shows only the last
      status(`Error: ${detail.message}`, true);
    });

    await client.connect();
    status('Joining…');
    await client.join($('room').value, $('name').value);
    if (publishing) await client.publish(state.localStream, { codec: $('codec').value || undefined, simulcast: params.get('simulcast') === '1' });
    await client.openDataChannel('chat');
    $('chat').hidden = false;
    $('leave').disabled = false;
    state.joined = true;
    refreshStatus();
  } catch (error) {
    status(`Could not join: ${describeCause(error)}`, true);
    $('join').disabled = false;
  }
}

function reset() {
  state.localStream?.getTracks().forEach((t) => t.stop());
  for (const tile of state.tiles.values()) tile.figure.remove();
  state.tiles.clear();
  $('local-tile').hidden = true;
  $('chat').hidden = true;
  $('join').disabled = false;
  $('leave').disabled = true;
  state.joined = false;
}

async function leave() {
  await state.client?.leave();
  await state.client?.destroy();
  reset();
  status('Left the room.');
}

function addMessage(who, text) {
  const item = document.createElement('li');
  item.textContent = `${who}: ${text}`;
  $('messages').append(item);
}

$('join-form').addEventListener('submit', (e) => {
  e.preventDefault();
  join();
});
$('leave').addEventListener('click', leave);
$('chat-form').addEventListener('submit', (e) => {
  e.preventDefault();
  const text = $('chat-input').value.trim();
  if (!text) return;
  state.client?.send(text);
  addMessage('you', text);
  $('chat-input').value = '';
});
state.join = join;
state.leave = leave;
if (params.get('autojoin') === '1') join();
