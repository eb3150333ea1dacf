import { EmptyState } from "../components/EmptyState";
import { paths } from "../routes";

export function NotFoundPage() {
  return (
    <EmptyState title="Nothing here">
      <p>This address does not match a page of Dailies.</p>
      <a href={paths.projects()}>Go to your projects</a>
    </EmptyState>
  );
}
