/**
 * Audit rows are written after the results went out, grouped: an idle server writes a call's row on
 * the next turn of the event loop; a busy one at most every AUDIT_GROUP_MS, all pending rows in one
 * batch; close() writes what is still pending.
 */
import { afterEach, describe, expect, it, vi } from "vitest";
import { resolveConfig } from "../../src/config.js";
import { AUDIT_GROUP_MS, Controls } from "../../src/core/controls.js";
import { success } from "../../src/core/results.js";
import { createLogger } from "../../src/logger.js";
import { openDb, type Db } from "../../src/store/db.js";

afterEach(() => {
  vi.useRealTimers();
});

const rows = async (db: Db) => ((await db.get<{ n: number }>("SELECT COUNT(*) AS n FROM audit_log")) as { n: number }).n;
const aCall = (controls: Controls) =>
  controls.run({ identity: { externalUserId: "u1", via: "stdio-config" }, tool: "list_accounts", args: {} }, async () => success({ outcome: "ok" }));

describe("audit rows, grouped", () => {
  it("an idle server writes a row at once; a busy one groups the rows of AUDIT_GROUP_MS into one batch", async () => {
    vi.useFakeTimers({ toFake: ["setTimeout", "clearTimeout", "setImmediate", "clearImmediate", "Date"] });
    const db = await openDb(":memory:");
    const controls = await Controls.open(resolveConfig({ env: {} }), db, createLogger("silent"));
    const batches = vi.spyOn(db, "batch");

    await aCall(controls);
    expect(await rows(db)).toBe(0); // not on the call's path
    await vi.advanceTimersByTimeAsync(0);
    expect(await rows(db)).toBe(1);

    // Three more calls right after: they wait for the group window, then go in one batch.
    for (let i = 0; i < 3; i++) await aCall(controls);
    await vi.advanceTimersByTimeAsync(AUDIT_GROUP_MS - 5);
    expect(await rows(db)).toBe(1);
    await vi.advanceTimersByTimeAsync(5);
    expect(await rows(db)).toBe(4);
    expect(batches).toHaveBeenCalledTimes(2);

    // Pending rows are written by close(), window or not.
    await aCall(controls);
    await controls.close();
    expect(await rows(db)).toBe(5);
    await db.close();
  });
});
