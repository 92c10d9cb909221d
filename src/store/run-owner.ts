/**
 * Which process is running a write (a configuration run, an idempotent call), so a later process
 * can tell a crashed run from one still in flight: `<host>:<pid>`.
 */
import { hostname } from "node:os";

const HOST = hostname();
export const RUN_OWNER = `${HOST}:${process.pid}`;

/** How often rows left running by a process that is gone (a crashed replica) are looked for. */
export const ORPHAN_SWEEP_EVERY_MS = 5 * 60_000;

/**
 * Whether the owner of a row still marked running is gone: a dead process on this host, or — for
 * owners on other hosts, which cannot be asked — a row older than `staleAfterMs`.
 */
export function ownerGone(owner: string | null, since: number, staleAfterMs: number, now: number, alive: (pid: number) => boolean = processAlive): boolean {
  const at = owner?.lastIndexOf(":") ?? -1;
  const host = owner && at > 0 ? owner.slice(0, at) : undefined;
  const pid = owner && at > 0 ? Number(owner.slice(at + 1)) : NaN;
  if (host === HOST && Number.isInteger(pid) && pid > 0) return pid === process.pid ? false : !alive(pid);
  return since < now - staleAfterMs;
}

function processAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (err) {
    // EPERM: it exists but belongs to someone else.
    return (err as NodeJS.ErrnoException).code === "EPERM";
  }
}
