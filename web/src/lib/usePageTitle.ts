import { useEffect } from 'preact/hooks';

/** Sets the document title (what a screen reader and the tab strip announce) for a page. */
export function usePageTitle(title: string): void {
  useEffect(() => {
    document.title = title ? `${title} · mlledger` : 'mlledger';
  }, [title]);
}
