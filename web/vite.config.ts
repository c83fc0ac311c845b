import { fileURLToPath } from 'node:url';
import { defineConfig } from 'vite';
import react from '@vitejs/plugin-react';

const page = (rel: string) => fileURLToPath(new URL(rel, import.meta.url));

/**
 * The web app is served by the tuanwu server from `web/dist`; in development Vite proxies `/api` to it.
 * Vendor code is split so that no single chunk is huge: React, antd (with its rc-* parts and icons) and
 * echarts (only reached through dynamic imports) each get their own chunk, and every page is lazy.
 *
 * A second page, `m/index.html` (`/m/`), is the light phone page for 青年大学习 check-in: Preact, no React or
 * antd. Preact has its own group so that it never lands in the admin's `vendor` chunk, and none of the admin
 * groups match anything the phone page imports (e2e/study-phone.test.ts checks the page's chunks and size).
 */
export default defineConfig({
  plugins: [react()],
  server: {
    proxy: { '/api': { target: process.env.TUANWU_API ?? 'http://localhost:3000', changeOrigin: false } },
  },
  build: {
    outDir: 'dist',
    emptyOutDir: true,
    // antd alone is ≈ 630 kB minified (≈ 190 kB gzip) and cannot be cut without a chunk cycle (see below).
    chunkSizeWarningLimit: 700,
    rolldownOptions: {
      input: { main: page('./index.html'), m: page('./m/index.html') },
      output: {
        codeSplitting: {
          groups: [
            { name: 'preact', test: /node_modules[\\/]preact[\\/]/, priority: 40 },
            { name: 'react', test: /node_modules[\\/](react|react-dom|scheduler|react-router)[\\/]/, priority: 30 },
            // zrender (the renderer) never imports echarts, so the two chunks form no cycle.
            { name: 'zrender', test: /node_modules[\\/]zrender[\\/]/, priority: 26 },
            { name: 'echarts', test: /node_modules[\\/]echarts[\\/]/, priority: 25 },
            { name: 'icons', test: /node_modules[\\/]@ant-design[\\/]icons/, priority: 22 },
            // antd's building blocks never import antd itself, so these chunks form no import cycle (a cycle
            // between chunks breaks module initialisation; rolldown's `maxSize` cutting of antd did exactly that).
            { name: 'antd-rc', test: /node_modules[\\/](@rc-component|rc-[a-z-]+)[\\/]/, priority: 21 },
            { name: 'antd-style', test: /node_modules[\\/](@ant-design|@emotion|stylis)[\\/]/, priority: 21 },
            { name: 'antd', test: /node_modules[\\/](antd|@babel[\\/]runtime)[\\/]/, priority: 20 },
            { name: 'vendor', test: /node_modules[\\/]/, priority: 10 },
          ],
        },
      },
    },
  },
});
