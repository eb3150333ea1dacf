import { useEffect } from "preact/hooks";
import { ErrorBoundary, LocationProvider, Route, Router, useLocation } from "preact-iso";
import { ErrorMessage } from "./components/ErrorMessage";
import { Layout } from "./components/Layout";
import { Loading } from "./components/Loading";
import { useAsync } from "./lib/useAsync";
import { paths, patterns } from "./routes";
import { ComparePage } from "./routes/compare";
import { EditPage } from "./routes/edit";
import { JobsPage } from "./routes/jobs";
import { NotFoundPage } from "./routes/notFound";
import { PlanPage } from "./routes/plan";
import { ProjectPage } from "./routes/project";
import { ProjectsPage } from "./routes/projects";
import { ScenePage } from "./routes/scene";
import { SettingsPage } from "./routes/settings";
import { SignInPage } from "./routes/signin";
import { VersionPage } from "./routes/version";
import { startEvents } from "./state/events";
import { loadSession, sessionStore } from "./state/session";
import { useStore } from "./state/store";

export function App() {
  return (
    <LocationProvider>
      <ErrorBoundary>
        <Shell />
      </ErrorBoundary>
    </LocationProvider>
  );
}

/** Signs in first (every page but /signin needs a session), then routes inside the layout. */
function Shell() {
  const { path, url, route } = useLocation();
  const me = useStore(sessionStore);
  const boot = useAsync(() => loadSession(), []);
  const onSignIn = path === patterns.signIn;

  useEffect(() => {
    if (me === null && !onSignIn) route(paths.signIn(url), true);
    if (me && me !== "loading") return startEvents();
  }, [me, onSignIn, url, route]);

  if (onSignIn) return <SignInPage />;
  if (boot.error) return <ErrorMessage error={boot.error} retry={boot.reload} />;
  if (me === "loading" || me === null) return <Loading label="Signing in…" />;
  return (
    <Layout>
      <Router>
        <Route path={patterns.projects} component={ProjectsPage} />
        <Route path={patterns.project} component={ProjectPage} />
        <Route path={patterns.scene} component={ScenePage} />
        <Route path={patterns.version} component={VersionPage} />
        <Route path={patterns.compare} component={ComparePage} />
        <Route path={patterns.settings} component={SettingsPage} />
        <Route path={patterns.edit} component={EditPage} />
        <Route path={patterns.plan} component={PlanPage} />
        <Route path={patterns.jobs} component={JobsPage} />
        <Route default component={NotFoundPage} />
      </Router>
    </Layout>
  );
}
