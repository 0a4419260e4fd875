// rtp_peer.py from the tests: a real UDP endpoint that sends RTP (or SRTP) into a plain transport, or receives
// what a plain consumer forwards and reports what it saw.
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

const RTP_PEER = fileURLToPath(new URL('./rtp_peer.py', import.meta.url));

// Runs rtp_peer.py: `port` resolves with its bound port, `result` with its outcome line.
export function rtpPeer(args) {
  // Debian's python3 has pylibsrtp; another python3 may come first on PATH.
  const child = spawn('/usr/bin/python3', [RTP_PEER, ...args], { stdio: ['ignore', 'pipe', 'inherit'] });
  const lines = createInterface({ input: child.stdout });
  const got = [];
  let wake = () => {};
  lines.on('line', (line) => { got.push(JSON.parse(line)); wake(); });
  const nth = (n) => new Promise((resolve, reject) => {
    const check = () => (got.length > n ? resolve(got[n]) : null);
    wake = check;
    child.once('exit', (code) => (got.length > n ? resolve(got[n]) : reject(new Error(`rtp_peer ${args[0]} exited ${code}`))));
    check();
  });
  const port = nth(0).then((l) => l.port);
  return { port, result: port.then(() => nth(1)), kill: () => child.kill() };
}

