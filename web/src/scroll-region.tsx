import type { ReactNode } from 'react';

/**
 * A table that may be wider than a phone scrolls sideways. When its rows hold nothing focusable,
 * the scrolling region itself takes the keyboard focus (a labelled region), so keys scroll it too.
 */
export function ScrollRegion({ label, children }: { label: string; children: ReactNode }) {
  return (
    <div className="elevate-table-wrap" tabIndex={0} role="region" aria-label={label}>
      {children}
    </div>
  );
}
