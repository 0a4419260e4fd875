// A peer of a janus-mediasoup room over Janus's HTTP API, for the plain RTP tools (ingest.mjs, record.mjs):
// one session, one handle, keepalives, and events from a long-poll. Node 20, no packages.
import { openSession } from '../lib/janus-client.mjs';

export async function joinRoom(janusUrl, room, display) {
  const session = await openSession(janusUrl);
  session.keepAlive(20000);
  const handle = await session.attach('janus.plugin.mediasoup');
  const request = async (body) => {
    const data = await handle.message(body);
    if (!data || data.error_code || data.janus) throw new Error(`${body.request}: ${JSON.stringify(data)}`);
    return data;
  };
  const joined = await request({ request: 'join', room, display });
  return {
    joined, request, events: handle.events,
    // Calls listener with every plugin event from now on; returns a function that stops it.
    onEvent: (listener) => handle.onEvent(listener),
    close: () => session.destroy(),
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
