import type { ReactNode } from 'react';
import { Logo } from './logo';
import { Spinner } from './spinner';

/** A page of its own, centred, for when the app cannot show its normal layout. */
export function FullPage({ children }: { children: ReactNode }) {
  return (
    <div className="full-page">
      <main className="full-page__main" id="main-content">
        <Logo className="full-page__logo" />
        {children}
      </main>
    </div>
  );
}

/** The app starting. index.html holds a static copy of this markup, painted before any script runs: keep them in step. */
export function FullPageLoader({ label = 'Loading Visiona' }: { label?: string }) {
  return (
    <div className="full-page full-page--loading" aria-busy="true">
      <div className="full-page__main">
        <Logo className="full-page__logo" />
        <Spinner size="lg" label={label} />
      </div>
    </div>
  );
}
