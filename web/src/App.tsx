import { useEffect } from 'preact/hooks';
import { NavBar } from './components/NavBar.tsx';
import { parseRoute, useLocation, type Route } from './lib/router.ts';
import { ComparePage } from './pages/ComparePage.tsx';
import { ExperimentsPage } from './pages/ExperimentsPage.tsx';
import { ModelPage } from './pages/ModelPage.tsx';
import { ModelsPage } from './pages/ModelsPage.tsx';
import { MonitoringPage } from './pages/MonitoringPage.tsx';
import { RunPage } from './pages/RunPage.tsx';
import { RunsPage } from './pages/RunsPage.tsx';

function Page({ route }: { route: Route }) {
  switch (route.page) {
    case 'experiments':
      return <ExperimentsPage />;
    case 'runs':
      return <RunsPage key={route.experimentId} experimentId={route.experimentId} />;
    case 'run':
      return <RunPage key={route.runId} runId={route.runId} />;
    case 'compare':
      return <ComparePage runIds={route.runIds} keys={route.keys} />;
    case 'models':
      return <ModelsPage />;
    case 'model':
      return <ModelPage key={route.name} name={route.name} />;
    case 'monitoring':
      return <MonitoringPage key={`${route.name}/${route.version}`} name={route.name} version={route.version} />;
    case 'notFound':
      return (
        <section>
          <h1>Not found</h1>
          <p>No page at {route.path}.</p>
        </section>
      );
  }
}

export function App() {
  const location = useLocation();
  const route = parseRoute(location.pathname, location.search);
  // Focus and scroll go to the top of a newly opened page, as a full page load would do.
  useEffect(() => {
    window.scrollTo(0, 0);
  }, [location.pathname]);
  return (
    <>
      <a class="skip-link" href="#main">
        Skip to content
      </a>
      <NavBar route={route} />
      <main id="main" tabIndex={-1}>
        <Page route={route} />
      </main>
    </>
  );
}
