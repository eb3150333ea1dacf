import { expect, it } from "vitest";
import * as notes from "../../../src/repositories/pg/notes.js";
import { describeOnBoth } from "../../support/bothBackends.js";
import { seedMember, seedProject, seedScene, seedVersion, uid } from "./coreSeed.js";

describeOnBoth("notes repository", { notes }, (backend) => {
  async function version() {
    const { userId, projectId } = await seedProject(backend());
    const sceneId = await seedScene(backend(), projectId);
    return { userId, versionId: await seedVersion(backend(), projectId, sceneId) };
  }

  it("lists a version's notes untimed first, then by time, then by date, with the author's name", async () => {
    const { userId, versionId } = await version();
    const other = await version();
    const at = async (timeSec: number | null, body: string) =>
      backend().repos.notes.insertNote({ assetVersionId: versionId, authorId: userId, body, timeSec });
    const late = await at(12.5, "late");
    const untimed = await at(null, "general");
    const early = await at(1.25, "early");
    await backend().repos.notes.insertNote({
      assetVersionId: other.versionId,
      authorId: userId,
      body: "x",
      timeSec: 0,
    });

    expect(late).toMatchObject({ assetVersionId: versionId, authorId: userId, body: "late", timeSec: 12.5 });
    expect(late.resolvedAt).toBeNull();
    expect(late.id).toMatch(/^note_/);
    const listed = await backend().repos.notes.notesOfVersion(versionId);
    expect(listed.map((n) => n.note.id)).toEqual([untimed.id, early.id, late.id]);
    expect(listed[0]).toEqual({ note: untimed, authorName: "Ann" });
  });

  it("finds a note only through its own version, updates it, and deletes it", async () => {
    const { userId, versionId } = await version();
    const other = await version();
    const note = await backend().repos.notes.insertNote({
      assetVersionId: versionId,
      authorId: userId,
      body: "b",
      timeSec: 3,
    });
    expect(await backend().repos.notes.noteOfVersion(versionId, note.id)).toEqual(note);
    expect(await backend().repos.notes.noteOfVersion(other.versionId, note.id)).toBeUndefined();
    expect(await backend().repos.notes.noteOfVersion(versionId, uid("note"))).toBeUndefined();

    const now = "2026-05-05T05:05:05.005Z";
    const updated = await backend().repos.notes.updateNoteRow(
      note.id,
      { body: "fixed", timeSec: null, resolvedAt: now, resolvedBy: userId },
      now,
    );
    expect(updated).toEqual({
      note: { ...note, body: "fixed", timeSec: null, resolvedAt: now, resolvedBy: userId, updatedAt: now },
      authorName: "Ann",
    });

    await backend().repos.notes.deleteNoteRow(note.id);
    expect(await backend().repos.notes.noteOfVersion(versionId, note.id)).toBeUndefined();
    expect(await backend().repos.notes.notesOfVersion(versionId)).toEqual([]);
  });

  it("answers a null author name once the author is deleted", async () => {
    const { versionId } = await version();
    const author = await seedMember(backend(), "Gone");
    const note = await backend().repos.notes.insertNote({
      assetVersionId: versionId,
      authorId: author.userId,
      body: "b",
      timeSec: null,
    });
    await backend().exec(`delete from workspaces where id = '${author.workspaceId}'`);
    await backend().exec(`delete from users where id = '${author.userId}'`);
    const [listed] = await backend().repos.notes.notesOfVersion(versionId);
    expect(listed).toMatchObject({ note: { id: note.id, authorId: null }, authorName: null });
    const updated = await backend().repos.notes.updateNoteRow(note.id, { body: "c" });
    expect(updated.authorName).toBeNull();
    expect(updated.note.body).toBe("c");
  });
});
