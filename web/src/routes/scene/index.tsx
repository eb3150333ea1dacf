export function ScenePage({ projectId, sceneCode }: { projectId: string; sceneCode: string }) {
  return (
    <h1>
      Scene {sceneCode} of {projectId}
    </h1>
  );
}
