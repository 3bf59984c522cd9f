import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // Installs Debian's Chromium for the browser tests when missing and allowed (see the file).
    globalSetup: ['test/setup/chromium.ts'],
    // Native addons (better-sqlite3, hnswlib-node, onnxruntime) are safest in child processes.
    pool: 'forks',
    testTimeout: 60_000,
    hookTimeout: 180_000,
    reporters: ['default'],
  },
});
