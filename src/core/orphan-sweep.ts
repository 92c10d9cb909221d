/**
 * Rows left `running` by a process that is gone (a crash, a kill, a crashed replica) may or may not
 * have reached upstream: they are looked for at start-up and then every ORPHAN_SWEEP_EVERY_MS, so
 * the processes still up notice a replica that crashed. One sweep per kind of row (idempotent
 * calls, configuration runs), each with its own log line.
 */
import type { Config } from "../config.js";
import type { Logger } from "../logger.js";
import type { Db } from "../store/db.js";
import { ORPHAN_SWEEP_EVERY_MS } from "../store/run-owner.js";

/** A row running this long is orphaned even when its owner cannot be asked (another host): past any upstream timeout and its retry. */
export function orphanedAfterMs(config: Pick<Config, "upstreamTimeoutMs">): number {
  return 2 * config.upstreamTimeoutMs + 60_000;
}

export interface OrphanSweep {
  /** One look now: how many rows became `unknown` (0 when the database is closed or the look failed). */
  sweep(): Promise<number>;
  stop(): void;
}

export async function startOrphanSweep(
  db: Db,
  logger: Logger,
  what: { recover: () => Promise<number>; found: (count: number) => [Record<string, unknown>, string]; failed: string },
): Promise<OrphanSweep> {
  const sweep = async (): Promise<number> => {
    try {
      if (!db.open) return 0;
      const count = await what.recover();
      if (count) logger.warn(...what.found(count));
      return count;
    } catch (err) {
      logger.warn({ err: (err as Error).message }, what.failed);
      return 0;
    }
  };
  await sweep();
  const timer = setInterval(() => void sweep(), ORPHAN_SWEEP_EVERY_MS);
  timer.unref();
  return { sweep, stop: () => clearInterval(timer) };
}
