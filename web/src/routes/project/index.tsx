export function ProjectPage({ projectId }: { projectId: string }) {
  return <h1>Project {projectId}</h1>;
}
