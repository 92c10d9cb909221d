/**
 * The store's two backends for describe.each: SQLite (in memory, or a file for tests that need
 * two connections) and PostgreSQL (a fresh schema per database opened, on the run's server).
 */
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import pg from "pg";
import { afterEach, inject } from "vitest";
import { openDb, type Db } from "../../src/store/db.js";

export interface Backend {
  name: "sqlite" | "postgres";
  /** A new, empty, migrated store. */
  fresh(): Promise<Db>;
  /** A new, empty store, and a way to open more connections to that same store. */
  shared(): Promise<{ open(): Promise<Db> }>;
}

const opened: Db[] = [];
const cleanups: Array<() => void | Promise<void>> = [];
afterEach(async () => {
  for (const db of opened.splice(0)) await db.close();
  for (const c of cleanups.splice(0)) await c();
});

let schemas = 0;

/** A URL whose connections work in a schema of their own (created here). */
export async function freshSchemaUrl(): Promise<string> {
  const base = inject("postgresUrl");
  const name = `t_${process.pid}_${++schemas}_${Date.now().toString(36)}`;
  const admin = new pg.Client({ connectionString: base });
  await admin.connect();
  try {
    await admin.query(`CREATE SCHEMA ${name}`);
  } finally {
    await admin.end();
  }
  cleanups.push(async () => {
    const c = new pg.Client({ connectionString: base });
    await c.connect();
    await c.query(`DROP SCHEMA ${name} CASCADE`).finally(() => c.end());
  });
  const url = new URL(base);
  url.searchParams.set("options", `-c search_path=${name}`);
  return url.toString();
}

async function track(db: Promise<Db>): Promise<Db> {
  const d = await db;
  opened.push(d);
  return d;
}

export const sqlite: Backend = {
  name: "sqlite",
  fresh: () => track(openDb(":memory:")),
  async shared() {
    const dir = mkdtempSync(join(tmpdir(), "connect-mcp-store-"));
    cleanups.push(() => rmSync(dir, { recursive: true, force: true }));
    const path = join(dir, "state.db");
    return { open: () => track(openDb(path)) };
  },
};

export const postgres: Backend = {
  name: "postgres",
  fresh: async () => track(openDb({ db: ":memory:", databaseUrl: await freshSchemaUrl() })),
  async shared() {
    const url = await freshSchemaUrl();
    return { open: () => track(openDb({ db: ":memory:", databaseUrl: url })) };
  },
};

export const BACKENDS: readonly Backend[] = [sqlite, postgres];
