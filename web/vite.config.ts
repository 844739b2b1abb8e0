import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';
import { defineConfig } from 'vite';

// The UI is served by Vigil itself (web/dist); `vite` in dev proxies the API to a running node.
export default defineConfig({
  root: fileURLToPath(new URL('.', import.meta.url)),
  plugins: [react()],
  // Two pages: the staff app (index.html) and the public citizen app (citizen.html, served at /citizen);
  // public/ holds the service worker, the manifest and the icons, copied to the root as they are.
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    chunkSizeWarningLimit: 2000,
    rolldownOptions: {
      input: { main: fileURLToPath(new URL('index.html', import.meta.url)), citizen: fileURLToPath(new URL('citizen.html', import.meta.url)) },
    },
  },
  server: { proxy: { '/api': { target: 'http://localhost:8080', ws: true } } },
});
