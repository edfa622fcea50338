import { defineConfig, type ProxyOptions } from 'vite';
import { fileURLToPath } from 'node:url';
import react from '@vitejs/plugin-react';

/** Where the dev and preview servers forward `/api`, `/livez` and `/readyz`. */
const apiTarget = process.env.VISIONA_API_URL || 'http://127.0.0.1:3000';
const port = Number(process.env.WEB_PORT || 5173);

const proxy: Record<string, ProxyOptions> = Object.fromEntries(
  ['/api', '/livez', '/readyz'].map((prefix) => [prefix, { target: apiTarget, changeOrigin: false, xfwd: true }]),
);

export default defineConfig({
  plugins: [react()],
  resolve: { alias: { '@': fileURLToPath(new URL('./src', import.meta.url)) } },
  server: { port, strictPort: true, proxy },
  preview: { port, strictPort: true, proxy },
  build: {
    sourcemap: true,
    target: 'es2022',
    rolldownOptions: {
      treeshake: {
        // @visiona/shared builds TypeBox schemas at import time. The SPA only needs its types and a
        // few constants, so let the bundler drop the schema builders (and TypeBox with them).
        manualPureFunctions: ['Type'],
        moduleSideEffects: [
          { test: /[\\/]packages[\\/]shared[\\/]/, sideEffects: false },
          // The UI kit only declares components: what a page does not use stays out of its chunk,
          // even though everything is imported through the one barrel file.
          { test: /[\\/]apps[\\/]web[\\/]src[\\/]components[\\/]/, sideEffects: false },
          { test: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?typebox[\\/]/, sideEffects: false },
        ],
      },
      output: {
        // Libraries change less often than the app: one long-cached vendor chunk for the ones every
        // page needs. Named, not "all of node_modules": a library only some pages (or only Clerk mode)
        // use stays in those pages' lazy chunks instead of weighing on the first route.
        codeSplitting: {
          groups: [
            {
              name: 'vendor',
              test: /[\\/]node_modules[\\/](\.pnpm[\\/][^\\/]+[\\/]node_modules[\\/])?(react|react-dom|scheduler|react-router|@tanstack[\\/][^\\/]+)[\\/]/,
            },
          ],
        },
      },
    },
  },
});
