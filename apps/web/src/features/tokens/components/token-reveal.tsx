import { useEffect, useRef, useState } from 'react';
import type { CreatedApiToken } from '@visiona/shared';
import { Alert, Badge, Button, Card, Icon } from '@/components/ui';
import { copyAnnouncement, copyText } from '@/lib/clipboard';
import { curlExample } from '../utils/curl-example';

export interface TokenRevealProps {
  created: CreatedApiToken;
  /** Absolute base URL of the API, for the curl example. */
  apiBase: string;
  /** Dismisses the panel; the secret is dropped with it. */
  onDone: () => void;
}

type CopyTarget = 'token' | 'command';

/** Shows a new token's secret, once: copy it, try it with curl, then Done. */
export function TokenReveal({ created, apiBase, onDone }: TokenRevealProps) {
  const headingRef = useRef<HTMLHeadingElement>(null);
  const secretRef = useRef<HTMLInputElement>(null);
  const commandRef = useRef<HTMLElement>(null);
  const [announcement, setAnnouncement] = useState('');
  const [copied, setCopied] = useState<CopyTarget | null>(null);
  const command = curlExample(created.token, apiBase);

  // Say what just happened, and start reading from the top of the panel.
  useEffect(() => {
    headingRef.current?.focus();
  }, []);

  // "Copied" on the button reverts after a moment; the announcement stays until the next copy.
  useEffect(() => {
    if (copied === null) return;
    const timer = setTimeout(() => setCopied(null), 2500);
    return () => clearTimeout(timer);
  }, [copied]);

  async function copy(target: CopyTarget) {
    const text = target === 'token' ? created.token : command;
    const fallback = target === 'token' ? secretRef.current : commandRef.current;
    const outcome = await copyText(text, fallback);
    // Re-set even when unchanged, so a second copy is announced again.
    setAnnouncement('');
    requestAnimationFrame(() => setAnnouncement(copyAnnouncement(outcome, target === 'token' ? 'token' : 'command')));
    setCopied(outcome === 'copied' ? target : null);
  }

  return (
    <Card className="token-reveal" aria-labelledby="token-reveal-title" data-testid="token-reveal">
      <header className="token-reveal__header">
        <span className="icon-tile icon-tile--success">
          <Icon name="key" size={22} />
        </span>
        <div className="stack stack--sm">
          <h3 className="card__title" id="token-reveal-title" ref={headingRef} tabIndex={-1}>
            Token created: <span className="break-anywhere">{created.name}</span>
          </h3>
          <ul className="badge-list" aria-label="Scopes">
            {created.scopes.map((scope) => (
              <li key={scope}>
                <Badge tone="accent">{scope}</Badge>
              </li>
            ))}
          </ul>
        </div>
      </header>

      <Alert tone="warning" title="Copy your token now: it will not be shown again" role="note">
        <p>
          Visiona stores only a fingerprint of it. Once you select Done, nobody can see this token again, not even you. If
          you lose it, revoke it and create a new one.
        </p>
      </Alert>

      <div className="field">
        <label className="field__label" htmlFor="token-secret">
          Your new API token
        </label>
        <div className="copy-row">
          <input
            ref={secretRef}
            id="token-secret"
            className="input input--mono copy-row__input"
            readOnly
            value={created.token}
            spellCheck={false}
            autoComplete="off"
            autoCorrect="off"
            autoCapitalize="none"
            onFocus={(e) => e.currentTarget.select()}
            data-testid="token-secret"
          />
          <Button
            variant="secondary"
            onClick={() => void copy('token')}
            icon={<Icon name={copied === 'token' ? 'check' : 'copy'} size={16} />}
            className="copy-row__button"
          >
            {copied === 'token' ? 'Copied' : 'Copy'}
            <span className="sr-only"> token</span>
          </Button>
        </div>
      </div>

      <div className="field">
        <div className="token-reveal__try">
          <h4 className="field__label" id="token-try-title">
            Try it from a terminal
          </h4>
          <Button
            variant="ghost"
            size="sm"
            onClick={() => void copy('command')}
            icon={<Icon name={copied === 'command' ? 'check' : 'copy'} size={16} />}
          >
            {copied === 'command' ? 'Copied' : 'Copy'}
            <span className="sr-only"> command</span>
          </Button>
        </div>
        <pre className="code-block" aria-labelledby="token-try-title" tabIndex={0}>
          <code ref={commandRef} data-testid="curl-example">
            {command}
          </code>
        </pre>
        <p className="field__hint">It asks the API who you are: the answer is your account, as JSON.</p>
      </div>

      <p className="sr-only" role="status" aria-live="polite" aria-atomic="true" data-testid="copy-status">
        {announcement}
      </p>

      <div className="token-reveal__actions">
        <Button onClick={onDone}>Done</Button>
        <span className="muted token-reveal__done-hint">Done clears the token from this page.</span>
      </div>
    </Card>
  );
}
