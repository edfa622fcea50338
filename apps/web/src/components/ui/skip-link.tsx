import type { MouseEvent } from 'react';

/** Moves keyboard focus to the page's main heading (or the main region itself). */
export function focusMainContent(targetId = 'main-content'): void {
  const target = document.getElementById(targetId);
  if (!target) return;
  const heading = target.querySelector<HTMLElement>('h1');
  (heading ?? target).focus();
}

/**
 * The first thing keyboard users reach: jumps past the navigation.
 * Handles the jump itself so the router never sees a hash change.
 */
export function SkipLink({ targetId = 'main-content' }: { targetId?: string }) {
  return (
    <a
      className="skip-link"
      href={`#${targetId}`}
      onClick={(event: MouseEvent<HTMLAnchorElement>) => {
        event.preventDefault();
        focusMainContent(targetId);
      }}
    >
      Skip to content
    </a>
  );
}
