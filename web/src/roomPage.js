// What both room pages share: the join form, the status line, a video tile per peer, leaving, and
// window.demo (the state tests read). Each page brings its client (RoomClient: mediasoup-client; SdpRoomClient:
// a plain RTCPeerConnection) and what it does once joined. URL parameters: janus (Janus WebSocket or HTTP API
// URL, default ws://<host>:8188), room, name, simulcast=1, autojoin=1, publish=0 (a viewer: receive only).
import { describeCause } from './JanusPeer.js';

export function startRoomPage({ createClient, afterJoin, onClient = () => {}, onReset = () => {}, label = '' }) {
  const params = new URLSearchParams(location.search);
  // WebSocket by default: one connection per page (HTTP long-polls hit the browser's 6 connections per host).
  const janusUrl = params.get('janus') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:8188`;
  const $ = (id) => document.getElementById(id);

  $('room').value = params.get('room') ?? $('room').value;
  $('name').value = params.get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;

  const state = { client: null, localStream: null, tiles: new Map(), error: null, errors: [], params };
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
    const peer = state.client?.peers.get(peerId);
    const worker = peer?.worker;
    // Each tile says which worker its peer is on (a room can span several).
    tile.caption.textContent = `${display || peer?.display || 'peer'}${worker === undefined || worker === null ? '' : ` · worker ${worker}`}`;
    return tile;
  }

  function refreshStatus() {
    const c = state.client;
    if (!c?.room) return;
    for (const [peerId] of state.tiles) peerTile(peerId);
    $('local-caption').textContent = `${$('name').value} (you) · worker ${c.worker}`;
    status(`In room "${c.room}" on worker ${c.worker} — ${c.peers.size} other peer${c.peers.size === 1 ? '' : 's'}${label}.`);
  }

  function reset() {
    state.localStream?.getTracks().forEach((t) => t.stop());
    for (const tile of state.tiles.values()) tile.figure.remove();
    state.tiles.clear();
    $('local-tile').hidden = true;
    $('join').disabled = false;
    $('leave').disabled = true;
    state.joined = false;
    onReset();
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
      const client = createClient(janusUrl);
      state.client = client;
      client.addEventListener('track', ({ detail }) => {
        const tile = peerTile(detail.peerId, detail.display);
        tile.stream.addTrack(detail.track);
        if (detail.kind === 'video') tile.video.play().catch(() => {});
      });
      client.addEventListener('trackended', ({ detail }) => {
        const tile = state.tiles.get(detail.peerId);
        if (!tile) return;
        for (const track of tile.stream.getTracks()) {
          if (track.readyState === 'ended' || track === detail.track || (!detail.track && track.kind === detail.kind)) tile.stream.removeTrack(track);
        }
      });
      client.addEventListener('peerleft', ({ detail }) => {
        state.tiles.get(detail.peerId)?.figure.remove();
        state.tiles.delete(detail.peerId);
      });
      client.addEventListener('peers', refreshStatus);
      // The worker died and the room moved: the client set everything up again by itself.
      client.addEventListener('moved', refreshStatus);
      client.addEventListener('roomclosed', ({ detail }) => {
        status(`The room closed (${detail.reason ?? detail.event}).`, true);
        // The room is gone with its transports: drop our side of them and the Janus session too.
        client.closeMedia();
        client.destroy();
        reset();
      });
      client.addEventListener('error', ({ detail }) => {
        state.errors.push(detail.message);  // every one, for tests: the status line shows only the last
        status(`Error: ${detail.message}`, true);
      });
      onClient(client, state);
      await client.connect();
      status('Joining…');
      await client.join($('room').value, $('name').value);
      await afterJoin(client, state, { publishing, simulcast: params.get('simulcast') === '1' });
      $('leave').disabled = false;
      state.joined = true;
      refreshStatus();
    } catch (error) {
      status(`Could not join: ${describeCause(error)}`, true);
      $('join').disabled = false;
    }
  }

  async function leave() {
    await state.client?.leave();
    await state.client?.destroy();
    reset();
    status('Left the room.');
  }

  $('join-form').addEventListener('submit', (e) => {
    e.preventDefault();
    join();
  });
  $('leave').addEventListener('click', leave);
  state.join = join;
  state.leave = leave;
  if (params.get('autojoin') === '1') join();
  return state;
}
