// vitest globalSetup of the server-pg project: one cluster for the whole run, its URL handed to the test files
// through `provide`. DAILIES_TEST_DATABASE_URL (a superuser URL of a server you run) skips starting one.
import type { TestProject } from "vitest/node";
import { startTestCluster } from "./postgres.js";

declare module "vitest" {
  export interface ProvidedContext {
    postgresUrl: string;
  }
}

export default async function setup(project: TestProject): Promise<() => void> {
  const external = process.env.DAILIES_TEST_DATABASE_URL;
  if (external) {
    project.provide("postgresUrl", external);
    return () => {};
  }
  const cluster = await startTestCluster();
  console.log(`PostgreSQL test cluster up in ${cluster.startMs} ms`);
  project.provide("postgresUrl", cluster.url);
  return () => cluster.stop();
}
