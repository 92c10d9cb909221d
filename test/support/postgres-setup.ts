/**
 * vitest globalSetup: one PostgreSQL server for the whole run (scripts/throwaway-postgres.mjs);
 * tests get its URL with inject("postgresUrl") and make their own database or schema in it.
 */
import type { TestProject } from "vitest/node";
import { startPostgres } from "../../scripts/throwaway-postgres.mjs";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const server = await startPostgres();
  project.provide("postgresUrl", server.url);
  return () => server.stop();
}
