// Bundles the pages' code (with mediasoup-client and janus.js) into dist/, beside the static files.
import { build } from 'esbuild';
import { cpSync, mkdirSync } from 'node:fs';

const here = new URL('.', import.meta.url).pathname;
mkdirSync(`${here}dist`, { recursive: true });
cpSync(`${here}public`, `${here}dist`, { recursive: true });
await build({
  entryPoints: [`${here}src/demo.js`, `${here}src/sdp.js`, `${here}src/dashboard.js`],
  outdir: `${here}dist`,
  bundle: true,
  format: 'iife',
  target: 'chrome110',
  sourcemap: true,
  minify: true,
  logLevel: 'warning',
});
console.log('web: built dist/');
