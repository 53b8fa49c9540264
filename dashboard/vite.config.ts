// Builds the dashboard into dist/dashboard, which the host serves (src/http/dashboard.ts): assets under
// /dashboard/assets, everything bundled, nothing fetched from a CDN.
import { fileURLToPath } from 'node:url';
import preact from '@preact/preset-vite';
import { defineConfig } from 'vite';

export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  base: '/dashboard/',
  plugins: [preact()],
  build: {
    outDir: fileURLToPath(new URL('../dist/dashboard', import.meta.url)),
    emptyOutDir: true,
    sourcemap: true,
  },
  server: {
    // `npx vite dashboard` during development, against a host on the default port.
    proxy: { '/dashboard/api': 'http://127.0.0.1:7071', '/runtime': 'http://127.0.0.1:7071' },
  },
});
