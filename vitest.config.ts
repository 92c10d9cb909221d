import { defineConfig } from "vitest/config";

export default defineConfig({
  test: {
    include: ["test/**/*.test.ts"],
    // One throwaway PostgreSQL server per run: the store suite and the replica e2e run against it.
    globalSetup: ["test/support/postgres-setup.ts"],
    testTimeout: 30_000,
    hookTimeout: 30_000,
    // e2e suites spawn servers; two cores, so keep parallelism modest.
    maxWorkers: 2,
  },
});
