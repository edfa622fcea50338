import type { ComponentType } from 'react';
import { createBrowserRouter, type LoaderFunctionArgs, type RouteObject } from 'react-router';
import { FullPageLoader } from '@/components/ui';
import { paths } from '@/config/paths';
import { galleryFiltersFrom, generationListQueryOptions } from '@/features/generations/api/get-generations';
import { getSession } from '@/lib/session';
import { queryClient } from './provider';
import { PageErrorBoundary, RootErrorBoundary, RootLayout } from './routes/root';

/** Every route says what the tab title should be. */
export interface RouteHandle {
  title: string;
}

type PageModule = Promise<{ Component: ComponentType }>;

/**
 * A page inside a layout: code-split, titled, and with its own error boundary so the layout survives.
 * `prefetch` starts the page's main request while its code downloads (it must not wait: the router
 * holds the page until it returns).
 */
function page(path: string | undefined, title: string, load: () => PageModule, prefetch?: (args: LoaderFunctionArgs) => void): RouteObject {
  const handle: RouteHandle = { title };
  const lazy = async () => ({ Component: (await load()).Component });
  const loader = prefetch
    ? (args: LoaderFunctionArgs) => {
        prefetch(args);
        return null;
      }
    : undefined;
  return path === undefined
    ? { index: true, handle, lazy, loader, ErrorBoundary: PageErrorBoundary }
    : { path, handle, lazy, loader, ErrorBoundary: PageErrorBoundary };
}

/**
 * The gallery's first page of images, asked for alongside the page's code instead of once the page has
 * rendered: its thumbnails are the page's largest paint. Only with a stored session (local accounts):
 * a Clerk token exists only once Clerk has loaded, and the page asks for itself then.
 */
function prefetchGallery({ request }: LoaderFunctionArgs) {
  if (getSession()?.kind !== 'local') return;
  void queryClient.prefetchInfiniteQuery(generationListQueryOptions(galleryFiltersFrom(new URL(request.url).searchParams)));
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
          page(paths.gallery.slice(1), 'Gallery', () => import('./routes/app/gallery'), prefetchGallery),
          page(paths.billing.slice(1), 'Billing', () => import('./routes/app/billing')),
          page(paths.settings.slice(1), 'Settings', () => import('./routes/app/settings')),
        ],
      },
      page('*', 'Page not found', () => import('./routes/not-found')),
    ],
  },
];

export const router = createBrowserRouter(routes);
