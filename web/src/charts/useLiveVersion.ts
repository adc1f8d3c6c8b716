import { useEffect, useState } from 'preact/hooks';
import type { LiveCurves } from './liveCurves.ts';

/** Re-renders the component when live points arrive (at most once a frame). */
export function useLiveVersion(live: LiveCurves | undefined): number {
  const [version, setVersion] = useState(0);
  useEffect(() => live?.subscribe(() => setVersion(live.version)), [live]);
  return version;
}
