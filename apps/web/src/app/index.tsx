import { RouterProvider } from 'react-router/dom';
import { configQueryOptions } from '@/features/config/api/get-config';
import { getSession } from '@/lib/session';
import { AppProvider, queryClient } from './provider';
import { router } from './router';

// Every page needs the server's public configuration: ask for it while the route's code downloads.
void queryClient.prefetchQuery(configQueryOptions);

// A visitor who opens a signed-in page (`/` above all) is sent to sign-in once that page's code has
// loaded. With local accounts and no stored session that is certain as soon as the configuration
// arrives, so the sign-in page's code downloads alongside instead of after the redirect.
void queryClient.fetchQuery(configQueryOptions).then(
  (config) => {
    if (config.authMode === 'local' && !getSession()) void Promise.all([import('./routes/auth/layout'), import('./routes/auth/sign-in')]);
  },
  () => undefined,
);

export function App() {
  return (
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
