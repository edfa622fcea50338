import type { ComponentType } from 'react';
import { createBrowserRouter, type RouteObject } from 'react-router';
import { FullPageLoader } from '@/components/ui';
import { paths } from '@/config/paths';
import { PageErrorBoundary, RootErrorBoundary, RootLayout } from './routes/root';

/** Every route says what the tab title should be. */
export interface RouteHandle {
  title: string;
}

type PageModule = Promise<{ Component: ComponentType }>;

/** A page inside a layout: code-split, titled, and with its own error boundary so the layout survives. */
function page(path: string | undefined, title: string, load: () => PageModule): RouteObject {
  const handle: RouteHandle = { title };
  const lazy = async () => ({ Component: (await load()).Component });
  return path === undefined
    ? { index: true, handle, lazy, ErrorBoundary: PageErrorBoundary }
    : { path, handle, lazy, ErrorBoundary: PageErrorBoundary };
}

export const routes: RouteObject[] = [
  {
    id: 'root',
    path: '/',
    Component: RootLayout,
    ErrorBoundary: RootErrorBoundary,
    HydrateFallback: FullPageLoader,
    children: [
      {
        // Only for people who are not signed in.
        lazy: async () => ({ Component: (await import('./routes/auth/layout')).Component }),
        children: [
          // `/*`: Clerk's forms move through sub-paths (/sign-in/factor-one, /sign-up/verify-email-address).
          page(`${paths.signIn.slice(1)}/*`, 'Sign in', () => import('./routes/auth/sign-in')),
          page(`${paths.signUp.slice(1)}/*`, 'Create your account', () => import('./routes/auth/sign-up')),
        ],
      },
      {
        // Everything else needs a session.
        lazy: async () => ({ Component: (await import('./routes/app/layout')).Component }),
        children: [
          page(undefined, 'Dashboard', () => import('./routes/app/dashboard')),
          page(paths.photos.slice(1), 'Photos', () => import('./routes/app/photos')),
          page(paths.models.slice(1), 'Models', () => import('./routes/app/models')),
          page(paths.trainModel.slice(1), 'Train a model', () => import('./routes/app/train-model')),
          page(paths.generate.slice(1), 'Generate', () => import('./routes/app/generate')),
          page(paths.gallery.slice(1), 'Gallery', () => import('./routes/app/gallery')),
          page(paths.billing.slice(1), 'Billing', () => import('./routes/app/billing')),
          page(paths.settings.slice(1), 'Settings', () => import('./routes/app/settings')),
        ],
      },
      page('*', 'Page not found', () => import('./routes/not-found')),
    ],
  },
];

export const router = createBrowserRouter(routes);
