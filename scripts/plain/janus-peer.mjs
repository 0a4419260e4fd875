// A peer of a janus-mediasoup room over Janus's HTTP API, for the plain RTP tools (ingest.mjs, record.mjs):
// one session, one handle, keepalives, and events from a long-poll. Node 20, no packages.
import { randomBytes } from 'node:crypto';

export async function joinRoom(janusUrl, room, display) {
  const post = async (path, body) => {
    const response = await fetch(`${janusUrl}${path}`, {
      method: 'POST', headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...body, transaction: randomBytes(6).toString('hex') }),
    });
    return response.json();
  };
  const session = await post('', { janus: 'create' });
  if (session.janus !== 'success') throw new Error(`Janus at ${janusUrl}: ${JSON.stringify(session)}`);
  const sessionId = session.data.id;
  const handle = await post(`/${sessionId}`, { janus: 'attach', plugin: 'janus.plugin.mediasoup' });
  if (handle.janus !== 'success') throw new Error(`attach: ${JSON.stringify(handle)}`);
  const handleId = handle.data.id;
  const keepalive = setInterval(() => post(`/${sessionId}`, { janus: 'keepalive' }).catch(() => {}), 20000);

  let open = true;
  const events = [];
  const listeners = new Set();
  const poll = (async () => {
    while (open) {
      try {
        const got = await (await fetch(`${janusUrl}/${sessionId}?maxev=10`)).json();
        for (const e of [].concat(got)) {
          if (e.janus !== 'event' || !e.plugindata) continue;
          events.push(e.plugindata.data);
          for (const listener of listeners) listener(e.plugindata.data);
        }
      } catch {
        await new Promise((r) => setTimeout(r, 500));
      }
    }
  })();

  const request = async (body) => {
    const answer = await post(`/${sessionId}/${handleId}`, { janus: 'message', body });
    const data = answer.plugindata?.data;
    if (!data || data.error_code) throw new Error(`${body.request}: ${JSON.stringify(data ?? answer)}`);
    return data;
  };
  const joined = await request({ request: 'join', room, display });
  return {
    joined, request, events,
    // Calls listener with every plugin event from now on; returns a function that stops it.
    onEvent(listener) {
      listeners.add(listener);
      return () => listeners.delete(listener);
    },
    async close() {
      open = false;
      clearInterval(keepalive);
      await post(`/${sessionId}`, { janus: 'destroy' }).catch(() => {});
    },
  };
}

// GStreamer's names of an SRTP suite (mediasoup's names: api.md), and its key length.
export const SRTP_SUITES = {
  AES_CM_128_HMAC_SHA1_80: { cipher: 'aes-128-icm', auth: 'hmac-sha1-80', keyBytes: 30 },
  AES_CM_128_HMAC_SHA1_32: { cipher: 'aes-128-icm', auth: 'hmac-sha1-32', keyBytes: 30 },
  AEAD_AES_128_GCM: { cipher: 'aes-128-gcm', auth: 'null', keyBytes: 28 },
  AEAD_AES_256_GCM: { cipher: 'aes-256-gcm', auth: 'null', keyBytes: 44 },
};

// Minimal command line parsing: --name value and --flag.
export function parseArgs(argv, defaults) {
  const args = { ...defaults };
  for (let i = 0; i < argv.length; i++) {
    const name = argv[i].replace(/^--/, '');
    if (!(name in defaults)) throw new Error(`unknown option ${argv[i]} (known: ${Object.keys(defaults).map((k) => `--${k}`).join(' ')})`);
    if (typeof defaults[name] === 'boolean') args[name] = true;
    else args[name] = argv[++i];
  }
  return args;
}

// A command line as a shell takes it: tokens with characters the shell would read quoted.
export function shellLine(tokens) {
  return tokens.map((t) => (/^[\w@%+=:,./!-]+$/.test(t) ? t : `'${t.replace(/'/g, "'\\''")}'`)).join(' ');
}
