import react from "@vitejs/plugin-react";
import { defineConfig } from "vitest/config";

// The desktop shell (src-tauri/tauri.conf.json) expects the dev server on 1420
// and the production bundle in ui/dist.
export default defineConfig({
  plugins: [react()],
  clearScreen: false,
  server: {
    port: 1420,
    strictPort: true,
  },
  preview: {
    port: 4173,
    strictPort: true,
  },
  build: {
    outDir: "dist",
    target: "es2022",
    sourcemap: false,
    // No data: URLs, so the shell's CSP can stay `img-src 'self'`.
    assetsInlineLimit: 0,
    // The bundle is read from disk by the desktop shell, not downloaded;
    // Fluent UI alone is most of it.
    chunkSizeWarningLimit: 1024,
  },
  test: {
    environment: "happy-dom",
    setupFiles: ["./src/test/setup.ts"],
    include: ["src/**/*.test.{ts,tsx}"],
    restoreMocks: true,
    // A whole-app render on a busy 2-core machine; the tests themselves never sleep
    // (deliberate waits are scaled down: src/test/clock.ts).
    testTimeout: 30_000,
  },
});
