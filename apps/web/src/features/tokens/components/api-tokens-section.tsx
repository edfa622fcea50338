import { useMemo } from 'react';
import { apiBaseUrl } from '@/lib/api-client';
import { useCreateToken } from '../api/create-token';
import { apiBaseForScripts } from '../utils/curl-example';
import { CreateTokenForm } from './create-token-form';
import { TOKEN_LIST_HEADING_ID, TokenList } from './token-list';
import { TokenReveal } from './token-reveal';

/**
 * Personal API tokens: create one (its secret is shown once), see and revoke the others.
 * The secret is only ever in the create mutation's result, which Done resets.
 */
export function ApiTokensSection() {
  const create = useCreateToken();
  const apiBase = useMemo(() => apiBaseForScripts(apiBaseUrl(), window.location.origin), []);

  function onDone() {
    create.reset();
    // The panel is gone; carry on from the list, where the new token now is.
    requestAnimationFrame(() => document.getElementById(TOKEN_LIST_HEADING_ID)?.focus());
  }

  return (
    <section className="settings-section" aria-labelledby="api-tokens-title">
      <div className="settings-section__head">
        <h2 className="settings-section__title" id="api-tokens-title">
          API tokens
        </h2>
        <p className="settings-section__description">
          Call the Visiona API from scripts and other programs. Send a token as{' '}
          <code className="break-anywhere">Authorization: Bearer &lt;token&gt;</code>; it acts as you, limited to the
          scopes you give it.
        </p>
      </div>
      {create.data ? <TokenReveal created={create.data} apiBase={apiBase} onDone={onDone} /> : <CreateTokenForm mutation={create} />}
      <TokenList />
    </section>
  );
}
