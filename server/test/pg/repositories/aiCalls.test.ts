import { expect, it } from "vitest";
import type { AiCallRow } from "../../../src/repositories/aiCalls.js";
import * as aiCalls from "../../../src/repositories/pg/aiCalls.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { seedMember, uid } from "./coreSeed.js";

function call(userId: string, id: string, createdAt: string, extra: Partial<AiCallRow> = {}): AiCallRow {
  return {
    id,
    userId,
    jobId: null,
    provider: "openai",
    model: "gpt",
    kind: "story",
    status: "ok",
    durationMs: 1200,
    error: null,
    inputTokens: 10,
    outputTokens: 20,
    costUsd: 0.0125,
    createdAt,
    ...extra,
  };
}

describeOnBoth("aiCalls repository", { aiCalls }, (backend) => {
  it("lists a user's calls newest first (id breaks ties), pages strictly after a cursor, and keeps every value", async () => {
    const { userId } = await seedMember(backend());
    const other = await seedMember(backend(), "Bo");
    const p = uid("aic");
    const rows = [
      call(userId, `${p}_a`, "2026-03-01T10:00:00.000Z"),
      call(userId, `${p}_b`, "2026-03-01T11:00:00.000Z", { status: "error", error: "timeout", costUsd: null }),
      call(userId, `${p}_c`, "2026-03-01T11:00:00.000Z", { jobId: "job_1", inputTokens: null }),
      call(userId, `${p}_d`, "2026-03-01T12:00:00.000Z"),
      call(other.userId, `${p}_e`, "2026-03-01T13:00:00.000Z"),
    ];
    for (const row of rows) await backend().repos.aiCalls.insertAiCall(row);

    const all = await backend().repos.aiCalls.aiCallsOfUser(userId, 10, undefined);
    expect(all.map((r) => r.id)).toEqual([`${p}_d`, `${p}_c`, `${p}_b`, `${p}_a`]);
    expect(all[2]).toEqual(rows[1]);
    expect(all[1]).toEqual(rows[2]);

    const first = await backend().repos.aiCalls.aiCallsOfUser(userId, 2, undefined);
    expect(first.map((r) => r.id)).toEqual([`${p}_d`, `${p}_c`]);
    const last = first.at(-1)!;
    const next = await backend().repos.aiCalls.aiCallsOfUser(userId, 2, { createdAt: last.createdAt, id: last.id });
    expect(next.map((r) => r.id)).toEqual([`${p}_b`, `${p}_a`]);
    const end = await backend().repos.aiCalls.aiCallsOfUser(userId, 2, {
      createdAt: next[1]!.createdAt,
      id: next[1]!.id,
    });
    expect(end).toEqual([]);
  });

  it("answers an empty list for a user without calls", async () => {
    expect(await backend().repos.aiCalls.aiCallsOfUser(uid("nobody"), 5, undefined)).toEqual([]);
  });
});
