import { RouterProvider } from 'react-router/dom';
import { configQueryOptions } from '@/features/config/api/get-config';
import { AppProvider, queryClient } from './provider';
import { router } from './router';

// Every page needs the server's public configuration: ask for it while the route's code downloads.
void queryClient.prefetchQuery(configQueryOptions);

export function App() {
  return (
    <AppProvider>
      <RouterProvider router={router} />
    </AppProvider>
  );
}
