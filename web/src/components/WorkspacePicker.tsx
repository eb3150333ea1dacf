import { useEffect } from "preact/hooks";
import { useStore } from "../state/store";
import { reloadWorkspaces, switchWorkspace, workspacesStore } from "../state/workspace";

/** The header's workspace switch; shown only to someone who belongs to more than one workspace. */
export function WorkspacePicker({ current }: { current: string }) {
  const workspaces = useStore(workspacesStore) ?? [];
  useEffect(() => {
    // A failed read only hides the switch; Settings shows the error where the list is.
    reloadWorkspaces().catch(() => undefined);
  }, [current]);
  if (workspaces.length < 2) return null;
  return (
    <label class="workspace-picker">
      <span class="sr-only">Workspace</span>
      <select
        value={current}
        onChange={(e) => switchWorkspace(e.currentTarget.value)}
        data-testid="workspace-picker"
        title="Workspace"
      >
        {workspaces.map((w) => (
          <option key={w.id} value={w.id}>
            {w.personal ? `${w.name} (personal)` : w.name}
          </option>
        ))}
      </select>
    </label>
  );
}
