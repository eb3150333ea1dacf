export function VersionPage({ assetVersionId }: { assetVersionId: string }) {
  return <h1>Version {assetVersionId}</h1>;
}
