import { StrictMode } from 'react';
import { createRoot } from 'react-dom/client';
import { App } from './app';
import { queryClient } from './app/provider';
import { configQueryOptions } from './features/config/api/get-config';
import { reportCaughtError, startErrorReporting } from './lib/error-reporting';
import './styles/index.css';

const container = document.getElementById('root');
if (!container) throw new Error('index.html is missing <div id="root">.');

// The same request as the app's own prefetch (one fetch); with no Sentry DSN in it, nothing more loads.
void queryClient.fetchQuery(configQueryOptions).then(
  (config) => startErrorReporting(config.sentry),
  () => startErrorReporting(null),
);

createRoot(container, { onCaughtError: reportCaughtError }).render(
  <StrictMode>
    <App />
  </StrictMode>,
);
