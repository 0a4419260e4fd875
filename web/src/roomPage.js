// What both room pages share: the join form, the status line, a video tile per peer, leaving, and
// window.demo (the state tests read). Each page brings its client (RoomClient: mediasoup-client; SdpRoomClient:
// a plain RTCPeerConnection) and what it does once joined. Every tile has a level meter; the room's active
// speaker's tile is outlined; a screen share (appData source 'screen') gets a tile of its own. URL parameters: janus (Janus WebSocket or HTTP API
// URL, default ws://<host>:8188), room, name, simulcast=1, autojoin=1, publish=0 (a viewer: receive only).
import { describeCause } from './JanusPeer.js';

export function startRoomPage({ createClient, afterJoin, onClient = () => {}, onReset = () => {}, label = '' }) {
  const params = new URLSearchParams(location.search);
  // WebSocket by default: one connection per page (HTTP long-polls hit the browser's 6 connections per host).
  const janusUrl = params.get('janus') ?? `${location.protocol === 'https:' ? 'wss' : 'ws'}://${location.hostname}:8188`;
  const $ = (id) => document.getElementById(id);

  $('room').value = params.get('room') ?? $('room').value;
  $('name').value = params.get('name') ?? `guest-${Math.floor(Math.random() * 1000)}`;

  // tiles: by peer id (camera and microphone) or `${peerId}:screen`; tileOf: consumer id → its tile's key.
  const state = { client: null, localStream: null, tiles: new Map(), tileOf: new Map(), error: null, errors: [], params };
  window.demo = state;  // for tests and the curious

  function status(text, isError = false) {
    $('status').textContent = text;
    $('status').classList.toggle('error', isError);
    if (isError) state.error = text;
  }

  const tileKey = (peerId, appData) => (appData?.source === 'screen' ? `${peerId}:screen` : peerId);

  function peerTile(key, display) {
    const [peerId, screen] = key.split(':');
    let tile = state.tiles.get(key);
    if (!tile) {
      const figure = document.createElement('figure');
      figure.className = screen ? 'tile screen' : 'tile';
      figure.dataset.peerId = peerId;
      if (screen) figure.dataset.source = 'screen';
      const video = document.createElement('video');
      video.autoplay = true;
      video.playsInline = true;
      const caption = document.createElement('figcaption');
      figure.append(video, caption);
      if (!screen) figure.append(levelMeter());
      // Talking may have been said before its first track arrived.
      if (!screen && state.client?.talking.has(peerId)) figure.classList.add('talking');
      $('videos').append(figure);
      tile = { figure, video, caption, stream: new MediaStream() };
      video.srcObject = tile.stream;
      state.tiles.set(key, tile);
    }
    const peer = state.client?.peers.get(peerId);
    const worker = peer?.worker;
    // Each tile says which worker its peer is on (a room can span several).
    tile.caption.textContent = `${display || peer?.display || 'peer'}${screen ? ' · screen' : ''}${worker === undefined || worker === null ? '' : ` · worker ${worker}`}`;
    return tile;
  }

  function levelMeter() {
    const meter = document.createElement('div');
    meter.className = 'meter';
    meter.append(document.createElement('span'));
    return meter;
  }
  $('local-tile').append(levelMeter());

  // The camera tile of a peer (ours: the local one).
  const cameraFigure = (peerId) => (peerId && peerId === state.client?.peerId ? $('local-tile') : state.tiles.get(peerId)?.figure);

  // -70 dBov (the quietest the room reports) is an empty meter, 0 dBov a full one.
  function showLevels(levels) {
    for (const figure of document.querySelectorAll('#videos .tile')) {
      const peerId = figure === $('local-tile') ? state.client?.peerId : figure.dataset.peerId;
      const volume = levels.get(peerId);
      const bar = figure.querySelector('.meter span');
      if (bar) bar.style.width = `${volume === undefined ? 0 : Math.max(0, Math.min(100, ((volume + 70) / 70) * 100))}%`;
    }
  }

  function showSpeaker() {
    const active = state.client?.activeSpeaker ?? null;
    state.activeSpeaker = active;
    for (const figure of document.querySelectorAll('#videos .tile')) figure.classList.remove('speaking');
    cameraFigure(active)?.classList.add('speaking');
  }

  function refreshStatus() {
    const c = state.client;
    if (!c?.room) return;
    for (const [key] of state.tiles) peerTile(key);
    showSpeaker();
    $('local-caption').textContent = `${$('name').value} (you) · worker ${c.worker}`;
    status(`In room "${c.room}" on worker ${c.worker} — ${c.peers.size} other peer${c.peers.size === 1 ? '' : 's'}${label}.`);
  }

  function reset() {
    state.localStream?.getTracks().forEach((t) => t.stop());
    for (const tile of state.tiles.values()) tile.figure.remove();
    state.tiles.clear();
    state.tileOf.clear();
    $('local-tile').classList.remove('speaking');
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
        const key = tileKey(detail.peerId, detail.appData);
        if (detail.consumerId) state.tileOf.set(detail.consumerId, key);
        const tile = peerTile(key, detail.display);
        tile.stream.addTrack(detail.track);
        if (detail.kind === 'video') tile.video.play().catch(() => {});
        showSpeaker();
      });
      client.addEventListener('trackended', ({ detail }) => {
        const key = state.tileOf.get(detail.consumerId) ?? tileKey(detail.peerId, detail.appData);
        state.tileOf.delete(detail.consumerId);
        const tile = state.tiles.get(key);
        if (!tile) return;
        for (const track of tile.stream.getTracks()) {
          if (track.readyState === 'ended' || track === detail.track || (!detail.track && track.kind === detail.kind)) tile.stream.removeTrack(track);
        }
        // A screen share that ended leaves no empty tile behind.
        if (key !== detail.peerId && tile.stream.getTracks().length === 0) {
          tile.figure.remove();
          state.tiles.delete(key);
        }
      });
      client.addEventListener('peerleft', ({ detail }) => {
        for (const key of [detail.peerId, `${detail.peerId}:screen`]) {
          state.tiles.get(key)?.figure.remove();
          state.tiles.delete(key);
        }
      });
      client.addEventListener('speaker', showSpeaker);
      client.addEventListener('levels', ({ detail }) => showLevels(detail.levels));
      client.addEventListener('talking', ({ detail }) => cameraFigure(detail.peerId)?.classList.toggle('talking', detail.talking));
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
