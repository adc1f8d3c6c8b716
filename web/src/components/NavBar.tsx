import type { Route } from '../lib/router.ts';
import { paths } from '../lib/router.ts';
import { Link } from './Link.tsx';

const sections = [
  { label: 'Experiments', href: paths.experiments(), pages: ['experiments', 'runs', 'run', 'compare'] },
  { label: 'Models', href: paths.models(), pages: ['models', 'model'] },
  { label: 'Monitoring', href: paths.monitoring(), pages: ['monitoring'] },
];

export function NavBar({ route }: { route: Route }) {
  return (
    <header class="topbar">
      <Link href="/" class="brand">
        mlledger
      </Link>
      <nav aria-label="Main">
        <ul>
          {sections.map((s) => (
            <li key={s.href}>
              <Link href={s.href} aria-current={s.pages.includes(route.page) ? 'page' : undefined}>
                {s.label}
              </Link>
            </li>
          ))}
          <li>
            <a href="/graphql">GraphQL</a>
          </li>
        </ul>
      </nav>
    </header>
  );
}
