// A private Redis for the cluster tests: Debian's redis-server on a free loopback port, no persistence (a
// restart comes back empty, as a crashed cache would), stopped with the test process.
import { spawn } from 'node:child_process';
import { createServer, createConnection } from 'node:net';
import { setTimeout as sleep } from 'node:timers/promises';

async function freePort() {
  const server = createServer();
  await new Promise((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address();
  await new Promise((resolve) => server.close(resolve));
  return port;
}

// One command over RESP, the reply's first line (enough for PING, DBSIZE, CLIENT KILL).
export function redisCommand(port, ...args) {
  return new Promise((resolve, reject) => {
    const socket = createConnection({ port, host: '127.0.0.1' }, () => {
      socket.write(`*${args.length}\r\n${args.map((a) => `$${Buffer.byteLength(String(a))}\r\n${a}\r\n`).join('')}`);
    });
    let data = '';
    socket.on('data', (chunk) => {
      data += chunk;
      if (data.includes('\r\n')) {
        socket.end();
        resolve(data.split('\r\n')[0]);
      }
    });
    socket.on('error', reject);
    socket.setTimeout(2000, () => { socket.destroy(); reject(new Error('redis did not answer')); });
  });
}

// password: the server requires it (requirepass); url then carries it, and PING is refused without it.
export async function startRedis({ password } = {}) {
  const port = await freePort();
  const auth = password ? `:${encodeURIComponent(password)}@` : '';
  const redis = { port, url: `redis://${auth}127.0.0.1:${port}`, proc: null };
  redis.start = async () => {
    redis.proc = spawn('/usr/bin/redis-server', ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no',
      ...(password ? ['--requirepass', password] : [])], { stdio: 'ignore' });
    const proc = redis.proc;
    const killOnExit = () => proc.kill('SIGKILL');
    process.on('exit', killOnExit);
    proc.once('exit', () => process.off('exit', killOnExit));
    for (let i = 0; i < 100; i++) {
      const answer = await redisCommand(port, 'PING').catch(() => null);
      if (answer === '+PONG' || (password && answer?.startsWith('-NOAUTH'))) return redis;
      await sleep(50);
    }
    throw new Error('redis-server did not start');
  };
  redis.kill = async () => {
    const proc = redis.proc;
    if (!proc || proc.exitCode !== null) return;
    const exited = new Promise((resolve) => proc.once('exit', resolve));
    proc.kill('SIGKILL');
    await exited;
  };
  return redis.start();
}
