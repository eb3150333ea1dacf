import { spawnSync } from "node:child_process";
import { existsSync } from "node:fs";
import pg from "pg";
import { describe, expect, it } from "vitest";
import { startTestCluster } from "../support/postgres.js";

describe("the throwaway test cluster", () => {
  it("starts on a loopback port, answers, and leaves nothing behind when stopped", async () => {
    const cluster = await startTestCluster();
    const url = new URL(cluster.url);
    expect(url.hostname).toBe("127.0.0.1");
    const client = new pg.Client({ connectionString: cluster.url });
    await client.connect();
    const { rows } = await client.query<{ v: string; addr: string; fsync: string }>(
      "select current_setting('server_version_num') as v, current_setting('listen_addresses') as addr, current_setting('fsync') as fsync",
    );
    await client.end();
    expect(Number(rows[0]!.v)).toBeGreaterThanOrEqual(130000); // DROP DATABASE … WITH (FORCE) needs 13+
    expect(rows[0]!.addr).toBe("127.0.0.1");
    expect(rows[0]!.fsync).toBe("off");

    const { stdout } = spawnSync("ps", ["-eo", "args"], { encoding: "utf8" });
    const serverLine = stdout.match(/postgres -D (\S+) -p (\d+)/g)?.find((l) => l.endsWith(`-p ${url.port}`));
    expect(serverLine).toBeDefined();
    cluster.stop();
    const folder = serverLine!.split(" ")[2]!;
    expect(existsSync(folder)).toBe(false);
    const after = new pg.Client({ connectionString: cluster.url, connectionTimeoutMillis: 2000 });
    await expect(after.connect()).rejects.toThrow(/ECONNREFUSED/);
  });
});
