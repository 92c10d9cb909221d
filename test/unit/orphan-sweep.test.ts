/**
 * Rows a crashed process left `running` are found by the processes still up (another replica),
 * not only by the next one to start: idempotent calls and configuration runs become `unknown`.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { Controls } from "../../src/core/controls.js";
import { createServices } from "../../src/core/services.js";
import { emulatorEnv } from "../../src/emulator/types.js";
import { createLogger } from "../../src/logger.js";
import { openDb } from "../../src/store/db.js";
import { ORPHAN_SWEEP_EVERY_MS } from "../../src/store/run-owner.js";

// Another host's process: it cannot be asked, so only the row's age says it is gone.
const GONE_REPLICA = "replica-b.internal:4242";
const TEN_MINUTES_AGO = () => Date.now() - 600_000;

afterEach(() => {
  vi.useRealTimers();
});

describe("orphaned rows, while the server runs", () => {
  it("an idempotent call another replica left running becomes 'unknown' within one sweep", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const db = await openDb(":memory:");
    const controls = await Controls.open(resolveConfig({ env: {} }), db, createLogger("silent"));
    await db.run(
      "INSERT INTO idempotency (\"user\", tool, key_hash, args_hash, status, owner, created_at, expires_at) VALUES (?, ?, ?, ?, 'running', ?, ?, ?)",
      ["u1", "run_action", "k", "a", GONE_REPLICA, TEN_MINUTES_AGO(), Date.now() + 3_600_000],
    );
    await vi.advanceTimersByTimeAsync(ORPHAN_SWEEP_EVERY_MS - 1000);
    expect(await db.get("SELECT status FROM idempotency")).toEqual({ status: "running" });
    await vi.advanceTimersByTimeAsync(1000);
    expect(await db.get("SELECT status, owner FROM idempotency")).toEqual({ status: "unknown", owner: null });
    await controls.close();
    await db.close();
  });

  it("a configuration run another replica left running becomes 'unknown' within one sweep", async () => {
    vi.useFakeTimers({ toFake: ["setInterval", "clearInterval"] });
    const db = await openDb(":memory:");
    const services = await createServices(resolveConfig({ env: emulatorEnv("http://127.0.0.1:9") }), db, createLogger("silent"));
    expect(services.ok).toBe(true);
    const at = TEN_MINUTES_AGO();
    await db.run(
      "INSERT INTO configurations (id, external_user_id, conversation_id, action_key, action_version, configured_props, props, dynamic_props_id, status, run_owner, created_at, updated_at, expires_at) " +
        "VALUES ('cfg_x', 'u1', NULL, 'slack-send-message', '1', '{}', '[]', NULL, 'running', ?, ?, ?, ?)",
      [GONE_REPLICA, at, at, Date.now() + 3_600_000],
    );
    await vi.advanceTimersByTimeAsync(ORPHAN_SWEEP_EVERY_MS);
    expect(await db.get("SELECT status, run_owner FROM configurations WHERE id = 'cfg_x'")).toEqual({ status: "unknown", run_owner: null });
    await db.close();
    // A sweep after the database is closed does nothing (and throws nothing).
    await vi.advanceTimersByTimeAsync(ORPHAN_SWEEP_EVERY_MS);
  });
});
