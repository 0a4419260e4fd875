// Starts a real Janus (private config folder, loopback only) loading the built plugin with real mediasoup
// workers, and talks to it the way a client does: Janus HTTP API, Admin API, stats HTTP.
import { spawn, execFileSync } from 'node:child_process';
import { mkdtempSync, readFileSync, readdirSync, writeFileSync, existsSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { janusPost, openSession } from '../../scripts/lib/janus-client.mjs';

const top = process.env.TOP_SRCDIR ?? new URL('../..', import.meta.url).pathname;
const pluginSo = process.env.PLUGIN_SO ?? join(top, '.libs/libjanus_mediasoup.so');
const workerBin = process.env.MEDIASOUP_WORKER_BIN ?? join(top, 'build/worker/mediasoup-worker');
export const ADMIN_SECRET = 'test-admin-secret';
// jcfg lines lifting the per-peer limits, for tests and benchmarks whose one peer holds thousands of transports,
// producers or consumers on purpose.
export const UNLIMITED_PEERS = 'max_transports_per_peer = 0\nmax_producers_per_peer = 0\nmax_consumers_per_peer = 0';

let portCursor = 20000 + (process.pid % 200) * 50;
function nextPorts() {
  portCursor += 4;
  return { http: portCursor, admin: portCursor + 1, stats: portCursor + 2, ws: portCursor + 3 };
}

// jcfg: extra lines for the plugin's "general" category; env: extra environment for Janus.
// sessionTimeout: Janus's session_timeout (s), after which a silent client's handles are detached.
// holdFds: Janus starts already holding that many open fds (inherited /dev/null), with its fd limit raised to
// fit, as a busy production Janus does: every socket it opens afterwards gets a number above them.
// eventLoops: Janus's event_loops (0: its default, one loop thread per handle).
// fdLimit: Janus's RLIMIT_NOFILE (default: inherited; with holdFds, raised to fit them).
// eventHandler: a URL Janus's sample event handler posts plugin events to.
export async function startJanus({ workers = 3, jcfg = '', env = {}, expectFailure = false, sessionTimeout = 60, holdFds = 0, eventLoops = 2, fdLimit = 0, eventHandler = '', extraPlugins = '' } = {}) {
  const dir = mkdtempSync(join(tmpdir(), 'janus-mediasoup-test-'));
  const ports = nextPorts();
  const pluginJcfg = join(dir, 'plugin.jcfg');
  writeFileSync(pluginJcfg, `general: {\n${jcfg}\n}\n`);
  execFileSync(join(top, 'scripts/janus-config.sh'),
    [dir, String(ports.http), String(ports.admin), ADMIN_SECRET, pluginSo, pluginJcfg],
    { env: { ...process.env, JANUS_SESSION_TIMEOUT: String(sessionTimeout), JANUS_EVENT_LOOPS: String(eventLoops),
      JANUS_WS_PORT: String(ports.ws), JANUS_EVH_BACKEND: eventHandler, JANUS_EXTRA_PLUGINS: extraPlugins } });
  const logFile = join(dir, 'janus.log');
  const janusArgs = ['-F', join(dir, 'conf'), '-P', join(dir, 'plugins'), '-L', logFile, '-N', '-o', '-d', '4'];
  // The wrapper execs Janus in place: proc.pid stays Janus's own pid.
  const holdingFds = [
    '-c', 'import os, resource, sys\n' +
      'n, limit = int(sys.argv[1]), int(sys.argv[2]); resource.setrlimit(resource.RLIMIT_NOFILE, (limit, limit))\n' +
      'for _ in range(n): os.set_inheritable(os.open("/dev/null", os.O_RDONLY), True)\n' +
      'os.execvp("janus", ["janus"] + sys.argv[3:])',
    String(holdFds), String(fdLimit || holdFds + 4096),
  ];
  const [command, args] = holdFds || fdLimit ? ['/usr/bin/python3', [...holdingFds, ...janusArgs]] : ['janus', janusArgs];
  const proc = spawn(command, args, {
    env: {
      ...process.env,
      MEDIASOUP_WORKER_COUNT: String(workers),
      MEDIASOUP_WORKER_BIN: workerBin,
      PORT: String(ports.stats),
      // An ASan build of the plugin needs the runtime preloaded into Janus (scripts/test-asan.sh).
      ...(process.env.JANUS_PRELOAD ? { LD_PRELOAD: process.env.JANUS_PRELOAD } : {}),
      ...env,
    },
    stdio: 'ignore',
    cwd: dir,  // a core dump, should Janus crash, stays out of the checkout
  });
  const exited = new Promise((resolve) => proc.on('exit', (code, signal) => resolve({ code, signal })));
  // A test process that dies (a hang killed by the runner, an uncaught error) takes its Janus with it.
  const killOnExit = () => proc.kill('SIGKILL');
  process.on('exit', killOnExit);
  exited.then(() => process.off('exit', killOnExit));
  const janus = {
    proc, dir, ports, exited, logFile,
    janusUrl: `http://127.0.0.1:${ports.http}/janus`,
    wsUrl: `ws://127.0.0.1:${ports.ws}`,
    adminUrl: `http://127.0.0.1:${ports.admin}/admin`,
    statsUrl: `http://127.0.0.1:${ports.stats}`,
    log: () => (existsSync(logFile) ? readFileSync(logFile, 'utf8') : ''),
    // Open file descriptors of the Janus process.
    fdCount: () => readdirSync(`/proc/${proc.pid}/fd`).length,
    // SIGTERM is a clean shutdown: anything but exit status 0 (a crash, an abort) fails the caller.
    async stop(signal = 'SIGTERM') {
      const wasRunning = proc.exitCode === null && proc.signalCode === null;
      if (wasRunning) proc.kill(signal);
      const result = await exited;
      if (signal === 'SIGTERM' && wasRunning && (result.code !== 0 || result.signal)) {
        throw new Error(`Janus did not shut down cleanly (${JSON.stringify(result)}):\n${janus.log().slice(-2000)}`);
      }
      return result;
    },
  };
  // Janus is up when its HTTP transport answers; the plugin when the log says so (or that it failed).
  const deadline = Date.now() + 20000;
  for (;;) {
    const log = janus.log();
    if (log.includes('janus.plugin.mediasoup initialized!') && (await reachable(`${janus.janusUrl}/info`))) break;
    if (expectFailure && log.includes('JANUS REST (HTTP/HTTPS) transport plugin initialized')) break;
    if (Date.now() > deadline || proc.exitCode !== null) {
      await janus.stop('SIGKILL');
      throw new Error(`Janus did not come up:\n${log.slice(-3000)}`);
    }
    await sleep(100);
  }
  return janus;
}

async function reachable(url) {
  try {
    await fetch(url);
    return true;
  } catch {
    return false;
  }
}

export async function getJson(url, init) {
  const response = await fetch(url, init);
  return { status: response.status, headers: response.headers, body: await response.json() };
}

// Raw Janus API calls, for tests that drive many sessions and handles without a long-poll each.
export const janusApi = {
  createSession: async (janus) => (await janusPost(janus.janusUrl, { janus: 'create' })).data.id,
  attach: async (janus, sessionId, plugin = 'janus.plugin.mediasoup') => {
    const a = await janusPost(`${janus.janusUrl}/${sessionId}`, { janus: 'attach', plugin });
    if (a.janus !== 'success') throw new Error(`attach failed: ${JSON.stringify(a)}`);
    return a.data.id;
  },
  detach: (janus, sessionId, handleId) => janusPost(`${janus.janusUrl}/${sessionId}/${handleId}`, { janus: 'detach' }),
  // The plugin's answer (plugindata.data), or the Janus-level reply when there is none.
  message: async (janus, sessionId, handleId, body) => {
    const answer = await janusPost(`${janus.janusUrl}/${sessionId}/${handleId}`, { janus: 'message', body });
    return answer.plugindata?.data ?? answer;
  },
  destroySession: (janus, sessionId) => janusPost(`${janus.janusUrl}/${sessionId}`, { janus: 'destroy' }),
};

// A Janus session with one handle attached to a plugin: a peer, as a client sees it.
async function attachOver(janus, url, plugin) {
  const session = await openSession(url);
  // A failed test may never close its peers: their polling must not outlive Janus (the runner would hang).
  janus.exited.then(() => session.vanish());
  const handle = await session.attach(plugin);
  return {
    sessionId: session.id, handleId: handle.id, events: handle.events, session, handle,
    // The plugin's synchronous answer (plugindata.data).
    request: (body) => handle.request(body),
    waitEvent: (predicate, timeoutMs = 5000) => handle.waitEvent(predicate, timeoutMs),
    detach: () => handle.detach(),
    keepAlive: (everyMs) => session.keepAlive(everyMs),
    // Goes silent: no more long-polls or keepalives, as a client whose network died.
    vanish: () => session.vanish(),
    close: () => session.destroy(),
  };
}

// Over Janus's HTTP API (events from a long-poll).
export const attachPeer = (janus, plugin = 'janus.plugin.mediasoup') => attachOver(janus, janus.janusUrl, plugin);

// Over Janus's WebSocket API, keepalives every 15 s as janus.js sends them. Same interface as attachPeer.
export async function attachPeerWs(janus, plugin = 'janus.plugin.mediasoup') {
  const peer = await attachOver(janus, janus.wsUrl, plugin);
  peer.session.keepAlive(15000);
  return peer;
}

export async function admin(janus, request) {
  const answer = await janusPost(janus.adminUrl, {
    janus: 'message_plugin', plugin: 'janus.plugin.mediasoup', request, admin_secret: ADMIN_SECRET,
  });
  return answer;
}

// Live (not zombie) mediasoup worker processes whose parent is pid (or any parent when pid is omitted).
export function liveWorkers(parentPid) {
  const found = [];
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    let stat;
    try {
      stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
    } catch {
      continue;
    }
    const afterName = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    const [state, ppid] = [afterName[0], Number(afterName[1])];
    if (!stat.includes('(mediasoup-worke') || state === 'Z') continue;
    if (parentPid !== undefined && ppid !== parentPid) continue;
    const cmdline = readFileSync(`/proc/${entry}/cmdline`, 'utf8').split('\0');
    found.push({ pid: Number(entry), ppid, cmdline });
  }
  return found;
}

export async function waitFor(check, { timeoutMs = 5000, what = 'condition' } = {}) {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await check();
    if (value) return value;
    if (Date.now() > deadline) throw new Error(`timed out waiting for ${what}`);
    await sleep(50);
  }
}

// mulberry32: a small seeded generator, the same sequence for the same seed everywhere (reproducible runs).
export function seededRandom(seed) {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = Math.imul(a ^ (a >>> 15), a | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
