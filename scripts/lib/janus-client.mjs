// The one Janus API client of the tests, the benchmarks and the plain RTP tools: a Janus session over HTTP
// (events from a long-poll) or over WebSocket (protocol "janus-protocol", one connection for requests,
// answers and events, as janus.js does it), and plugin handles on it. Node 20; the WebSocket transport needs
// the `ws` package (web/node_modules), loaded only when a ws:// URL is used.
import { randomBytes } from 'node:crypto';
import { createRequire } from 'node:module';
import { setTimeout as sleep } from 'node:timers/promises';

const newTransaction = () => randomBytes(6).toString('hex');

// One raw Janus HTTP request (any path: a session, a handle, the Admin API); the reply's JSON.
export async function janusPost(url, body, init = {}) {
  const response = await fetch(url, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ transaction: newTransaction(), ...body }),
    ...init,
  });
  return response.json();
}

// The first of a handle's events that matches, once it has arrived.
export async function waitForEvent(events, predicate, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const found = events.find(predicate);
    if (found) return found;
    if (Date.now() > deadline) throw new Error(`no such event within ${timeoutMs} ms; got ${JSON.stringify(events)}`);
    await sleep(50);
  }
}

// A plugin handle: its events (plugindata.data of every plugin event, in order) and its requests.
class Handle {
  constructor(session, id) {
    this.session = session;
    this.id = id;
    this.events = [];
    this.listeners = new Set();
  }

  deliver(data) {
    this.events.push(data);
    for (const listener of this.listeners) listener(data);
  }

  // The plugin's answer (plugindata.data), or Janus's own reply when there is none (an error of Janus's).
  async message(body) {
    const answer = await this.session.send({ janus: 'message', handle_id: this.id, body });
    return answer.plugindata?.data ?? answer;
  }

  // The plugin's answer; throws when Janus itself refused the message.
  async request(body) {
    const answer = await this.session.send({ janus: 'message', handle_id: this.id, body });
    if (answer.janus !== 'success' || !answer.plugindata) throw new Error(`message failed: ${JSON.stringify(answer)}`);
    return answer.plugindata.data;
  }

  waitEvent(predicate, timeoutMs = 5000) {
    return waitForEvent(this.events, predicate, timeoutMs);
  }

  // Calls listener with every plugin event from now on; returns a function that stops it.
  onEvent(listener) {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  detach() {
    return this.session.send({ janus: 'detach', handle_id: this.id });
  }
}

class Session {
  constructor(url) {
    this.url = url;
    this.id = undefined;
    this.handles = new Map();
    this.timers = new Set();
  }

  // A plugin handle on this session.
  async attach(plugin = 'janus.plugin.mediasoup') {
    const attached = await this.send({ janus: 'attach', plugin });
    if (attached.janus !== 'success') throw new Error(`attach ${plugin}: ${JSON.stringify(attached)}`);
    const handle = new Handle(this, attached.data.id);
    this.handles.set(handle.id, handle);
    return handle;
  }

  // A long-poll counts as activity only when it starts: with a session_timeout shorter than Janus's 30 s
  // long-poll, a client must send keepalives. Returns a function that stops them.
  keepAlive(everyMs) {
    const timer = setInterval(() => this.send({ janus: 'keepalive' }).catch(() => {}), everyMs);
    this.timers.add(timer);
    return () => {
      clearInterval(timer);
      this.timers.delete(timer);
    };
  }

  route(message) {
    this.onMessage?.(message);
    if (message.janus !== 'event' || !message.plugindata) return;
    this.handles.get(message.sender)?.deliver(message.plugindata.data);
  }

  stopTimers() {
    for (const timer of this.timers) clearInterval(timer);
    this.timers.clear();
  }

  async destroy() {
    await this.send({ janus: 'destroy' }).catch(() => {});
    this.vanish();
  }
}

class HttpSession extends Session {
  async open() {
    const created = await janusPost(this.url, { janus: 'create' });
    if (created.janus !== 'success') throw new Error(`Janus at ${this.url}: ${JSON.stringify(created)}`);
    this.id = created.data.id;
    this.polling = false;
    this.stopPolling = new AbortController();
  }

  send({ handle_id: handleId, ...body }) {
    return janusPost(`${this.url}/${this.id}${handleId ? `/${handleId}` : ''}`, body);
  }

  // Events from a long-poll, as a browser's janus.js gets them over HTTP.
  startEvents() {
    if (this.polling) return;
    this.polling = true;
    this.poll = (async () => {
      while (this.polling) {
        try {
          const response = await fetch(`${this.url}/${this.id}?maxev=10`, { signal: this.stopPolling.signal });
          for (const message of [].concat(await response.json())) this.route(message);
        } catch {
          if (this.polling) await sleep(100);
        }
      }
    })();
  }

  // Goes silent: no more long-polls or keepalives, as a client whose network died.
  vanish() {
    this.polling = false;
    this.stopPolling.abort();
    this.stopTimers();
  }

  async destroy() {
    await super.destroy();
    await this.poll;
  }
}

class WebSocketSession extends Session {
  async open() {
    const WebSocket = createRequire(new URL('../../web/package.json', import.meta.url))('ws');
    this.socket = new WebSocket(this.url, 'janus-protocol');
    await new Promise((resolve, reject) => {
      this.socket.once('open', resolve);
      this.socket.once('error', reject);
    });
    this.pending = new Map();
    this.socket.on('message', (data) => {
      const message = JSON.parse(String(data));
      const waiter = this.pending.get(message.transaction);
      // A message's ack comes before its answer; a keepalive's answer is its ack.
      if (waiter && (message.janus !== 'ack' || waiter.ackIsAnswer)) {
        this.pending.delete(message.transaction);
        waiter.resolve(message);
      } else if (!waiter) {
        this.route(message);
      }
    });
    this.socket.on('close', () => {
      for (const waiter of this.pending.values()) waiter.resolve({ janus: 'error', error: { reason: 'WebSocket closed' } });
      this.pending.clear();
    });
    const created = await this.send({ janus: 'create' });
    if (created.janus !== 'success') throw new Error(`Janus at ${this.url}: ${JSON.stringify(created)}`);
    this.id = created.data.id;
  }

  send(body) {
    return new Promise((resolve) => {
      const transaction = newTransaction();
      this.pending.set(transaction, { resolve, ackIsAnswer: body.janus === 'keepalive' });
      this.socket.send(JSON.stringify({ transaction, ...(this.id ? { session_id: this.id } : {}), ...body }));
    });
  }

  startEvents() {}  // the socket carries them

  vanish() {
    this.stopTimers();
    this.socket.close();
  }
}

// A Janus session at url: http(s):// for the HTTP API, ws(s):// for the WebSocket API. Over HTTP, events are
// long-polled unless { events: false } (a client that only asks). onMessage sees every message Janus pushes
// (events of every handle, Janus's own webrtcup, hangup, …) before it is routed to its handle.
export async function openSession(url, { events = true, onMessage } = {}) {
  const session = /^wss?:/.test(url) ? new WebSocketSession(url) : new HttpSession(url);
  session.onMessage = onMessage;
  await session.open();
  if (events) session.startEvents();
  return session;
}
