import { Suspense, useEffect, useRef } from 'react';
import { Outlet, ScrollRestoration, isRouteErrorResponse, useLocation, useMatches, useNavigation, useRouteError } from 'react-router';
import { Button, Card, ErrorState, FullPage, FullPageLoader, Icon, focusMainContent } from '@/components/ui';
import { LazyClerkRoot } from '@/features/auth/clerk/lazy';
import { useConfig } from '@/features/config/api/get-config';
import { ApiError } from '@/lib/api-client';
import { useDocumentTitle } from '@/lib/document-title';
import type { RouteHandle } from '../router';

function isRouteHandle(value: unknown): value is RouteHandle {
  return typeof value === 'object' && value !== null && typeof (value as RouteHandle).title === 'string';
}

/** The title of the deepest matched route that has one. */
function useRouteTitle(): string | undefined {
  const matches = useMatches();
  for (let i = matches.length - 1; i >= 0; i--) {
    const handle = matches[i]?.handle;
    if (isRouteHandle(handle)) return handle.title;
  }
  return undefined;
}

/**
 * After each client-side navigation, move focus to the new page's h1 so screen readers
 * announce it and keyboard users start from the top, unless the page already placed focus
 * inside its content (e.g. an autofocused field).
 */
function useFocusOnNavigation() {
  const { pathname } = useLocation();
  const previous = useRef(pathname);
  useEffect(() => {
    // Comparing paths (not "is this the first run") also holds when StrictMode runs effects twice.
    if (previous.current === pathname) return;
    previous.current = pathname;
    const main = document.getElementById('main-content');
    const active = document.activeElement;
    if (main && active && active !== document.body && main.contains(active)) return;
    focusMainContent();
  }, [pathname]);
}

/** A thin bar at the top while the next page's code loads. */
function NavigationProgress() {
  const navigation = useNavigation();
  if (navigation.state === 'idle') return null;
  return <div className="nav-progress" aria-hidden="true" />;
}

/** Waits for the server's public configuration; without it the app cannot know how to sign people in. */
export function RootLayout() {
  const config = useConfig();
  const title = useRouteTitle();
  useFocusOnNavigation();
  useDocumentTitle(config.data === undefined && config.isError ? "Can't reach Visiona" : title);

  // Once loaded, a failed background refresh keeps the app running on the configuration it has.
  if (config.data === undefined && config.isPending) return <FullPageLoader />;

  if (config.data === undefined && config.isError) {
    const unreachable = !(config.error instanceof ApiError) || config.error.kind !== 'http';
    return (
      <FullPage>
        <Card padding="lg" className="full-page__card">
          <ErrorState
            icon={unreachable ? 'cloudOff' : 'alert'}
            title={unreachable ? "Can't reach Visiona" : 'Visiona is not available right now'}
            error={config.error}
            onRetry={() => void config.refetch()}
            isRetrying={config.isFetching}
          />
        </Card>
      </FullPage>
    );
  }

  const app = (
    <>
      <NavigationProgress />
      <Outlet />
      <ScrollRestoration />
    </>
  );

  if (config.data.authMode === 'clerk') {
    if (!config.data.clerkPublishableKey) {
      return (
        <FullPage>
          <Card padding="lg" className="full-page__card">
            <ErrorState
              title="Sign-in is not set up on this server"
              error={{
                message:
                  'This Visiona server signs people in through Clerk but does not say which Clerk application to use. Whoever runs it needs to set its Clerk publishable key.',
              }}
            />
          </Card>
        </FullPage>
      );
    }
    // Clerk's code is downloaded only here, in Clerk mode.
    return (
      <Suspense fallback={<FullPageLoader label="Loading sign-in" />}>
        <LazyClerkRoot publishableKey={config.data.clerkPublishableKey}>{app}</LazyClerkRoot>
      </Suspense>
    );
  }

  return app;
}

function describeRouteError(error: unknown): { title: string; message: string; requestId: string | null } {
  if (isRouteErrorResponse(error)) {
    return { title: `Error ${error.status}`, message: error.statusText || 'This page could not be shown.', requestId: null };
  }
  if (error instanceof ApiError) return { title: 'Something went wrong', message: error.message, requestId: error.requestId };
  const text = error instanceof Error ? error.message : '';
  if (/dynamically imported module|Importing a module script failed|error loading dynamically imported module|Failed to fetch/i.test(text)) {
    return {
      title: 'This page did not load',
      message: 'Part of Visiona could not be downloaded. Check your connection, or reload: a new version may have been released.',
      requestId: null,
    };
  }
  return { title: 'Something went wrong', message: 'An unexpected error stopped this page from showing. Reloading usually fixes it.', requestId: null };
}

function ErrorContent({ level }: { level: 1 | 2 }) {
  const error = useRouteError();
  const { title, message, requestId } = describeRouteError(error);
  useEffect(() => {
    console.error(error);
  }, [error]);
  const Heading = level === 1 ? 'h1' : 'h2';
  return (
    <div className="error-state" role="alert">
      <span className="error-state__icon">
        <Icon name="alert" size={24} />
      </span>
      <Heading className="error-state__title" tabIndex={-1}>
        {title}
      </Heading>
      <p className="error-state__message">{message}</p>
      {requestId ? (
        <p className="request-id">
          Reference: <code>{requestId}</code>
        </p>
      ) : null}
      <Button variant="secondary" onClick={() => window.location.reload()} icon={<Icon name="refresh" size={16} />}>
        Reload the page
      </Button>
    </div>
  );
}

/** Last line of defence: something broke outside any page. */
export function RootErrorBoundary() {
  useDocumentTitle('Something went wrong');
  return (
    <FullPage>
      <Card padding="lg" className="full-page__card">
        <ErrorContent level={1} />
      </Card>
    </FullPage>
  );
}

/** A page broke or did not load; the layout around it (navigation, sign out) keeps working. */
export function PageErrorBoundary() {
  return (
    <div className="page">
      <Card padding="lg">
        <ErrorContent level={1} />
      </Card>
    </div>
  );
}
