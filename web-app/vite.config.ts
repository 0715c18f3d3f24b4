import { defineConfig } from 'vite';

// The indexer serves the built app at /app/ (bionft-indexer run --web web-app/dist).
export default defineConfig({
  base: './',
  build: { outDir: 'dist', emptyOutDir: true, target: 'es2022', chunkSizeWarningLimit: 2048 },
});
