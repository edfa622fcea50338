import { useRef, useState } from 'react';
import type { ApiToken } from '@visiona/shared';
import {
  Alert,
  Badge,
  Button,
  Card,
  Dialog,
  EmptyState,
  ErrorState,
  Icon,
  RequestId,
  Skeleton,
  SkeletonList,
} from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { formatDate, formatDateTime } from '@/lib/format';
import { useRevokeToken } from '../api/revoke-token';
import { useTokens } from '../api/get-tokens';
import { expiryStatus } from '../utils/expiry';

export const TOKEN_LIST_HEADING_ID = 'token-list-title';

function Timestamp({ iso, withTime = false }: { iso: string; withTime?: boolean }) {
  return <time dateTime={iso}>{withTime ? formatDateTime(iso) : formatDate(iso)}</time>;
}

function TokenItem({ token, onRevoke }: { token: ApiToken; onRevoke: (token: ApiToken, trigger: HTMLButtonElement) => void }) {
  const expiry = expiryStatus(token.expiresAt);
  return (
    <li className="token-item" data-testid="token-item" data-token-id={token.id}>
      <div className="token-item__main">
        <div className="token-item__title-row">
          <h4 className="token-item__name">{token.name}</h4>
          {expiry.kind === 'expired' ? <Badge tone="danger">Expired</Badge> : null}
        </div>
        <p className="token-item__prefix">
          <span className="sr-only">Starts with </span>
          <code>{token.prefix}…</code>
        </p>
        <ul className="badge-list" aria-label="Scopes">
          {token.scopes.map((scope) => (
            <li key={scope}>
              <Badge tone="accent">{scope}</Badge>
            </li>
          ))}
        </ul>
        <dl className="token-item__meta">
          <div>
            <dt>Created</dt>
            <dd>
              <Timestamp iso={token.createdAt} />
            </dd>
          </div>
          <div>
            <dt>Last used</dt>
            <dd>{token.lastUsedAt ? <Timestamp iso={token.lastUsedAt} withTime /> : 'Never'}</dd>
          </div>
          <div>
            <dt>{expiry.kind === 'expired' ? 'Expired' : 'Expires'}</dt>
            <dd className={expiry.kind === 'expired' ? 'token-item__expired' : undefined}>
              {expiry.kind === 'never' ? 'Never' : <Timestamp iso={expiry.at} />}
            </dd>
          </div>
        </dl>
      </div>
      <Button
        variant="secondary"
        size="sm"
        className="token-item__revoke"
        icon={<Icon name="trash" size={16} />}
        onClick={(event) => onRevoke(token, event.currentTarget)}
      >
        Revoke<span className="sr-only"> {token.name}</span>
      </Button>
    </li>
  );
}

function TokenListSkeleton() {
  return (
    <SkeletonList label="Loading your tokens" className="token-list" rows={2}>
      <li className="token-item">
        <div className="token-item__main">
          <Skeleton width="12rem" height="1.1rem" />
          <Skeleton width="7rem" height="0.9rem" />
          <div className="badge-list">
            <Skeleton width="3.5rem" height="1.3rem" radius="999px" />
            <Skeleton width="4.5rem" height="1.3rem" radius="999px" />
          </div>
          <Skeleton width="min(22rem, 100%)" height="0.9rem" />
        </div>
        <Skeleton width="5.5rem" height="2.125rem" />
      </li>
    </SkeletonList>
  );
}

/** The person's tokens, with a confirmed Revoke for each. */
export function TokenList() {
  const tokens = useTokens();
  const revoke = useRevokeToken();
  const [pending, setPending] = useState<ApiToken | null>(null);
  const [announcement, setAnnouncement] = useState('');
  const trigger = useRef<HTMLButtonElement | null>(null);
  const headingRef = useRef<HTMLHeadingElement | null>(null);
  const revokedRef = useRef(false);

  function openConfirm(token: ApiToken, button: HTMLButtonElement) {
    revoke.reset();
    revokedRef.current = false;
    trigger.current = button;
    setPending(token);
  }

  function closeConfirm() {
    if (revoke.isPending) return;
    setPending(null);
  }

  function confirmRevoke() {
    if (!pending || revoke.isPending) return;
    const token = pending;
    revoke.mutate(token.id, {
      onSuccess: () => {
        revokedRef.current = true;
        setAnnouncement(`Token “${token.name}” revoked. Programs using it can no longer call the API.`);
        setPending(null);
      },
    });
  }

  const items = tokens.data?.items;
  const revokeError = revoke.error instanceof ApiError ? revoke.error : revoke.error ? new ApiError({ kind: 'network', statusCode: 0, error: 'Error', message: 'The token could not be revoked. Try again.' }) : null;

  let body;
  if (tokens.isPending) {
    body = <TokenListSkeleton />;
  } else if (!items) {
    body = (
      <ErrorState
        level={3}
        className="state--compact"
        title="Your tokens could not be loaded"
        error={tokens.error}
        onRetry={() => void tokens.refetch()}
        isRetrying={tokens.isFetching}
      />
    );
  } else if (items.length === 0) {
    body = (
      <EmptyState
        level={3}
        className="state--compact"
        icon="key"
        title="No API tokens yet"
        description="Create a token above to call the Visiona API from a script or another program."
      />
    );
  } else {
    body = (
      <ul className="token-list" aria-labelledby={TOKEN_LIST_HEADING_ID}>
        {items.map((token) => (
          <TokenItem key={token.id} token={token} onRevoke={openConfirm} />
        ))}
      </ul>
    );
  }

  return (
    <Card aria-labelledby={TOKEN_LIST_HEADING_ID}>
      <header className="card__header">
        <div>
          <h3 className="card__title" id={TOKEN_LIST_HEADING_ID} ref={headingRef} tabIndex={-1}>
            Your tokens
            {items && items.length > 0 ? <span className="title-count"> ({items.length})</span> : null}
          </h3>
          <p className="card__description">Anyone holding one of these can act as you within its scopes. Revoke any you no longer use.</p>
        </div>
      </header>
      {items && tokens.isError ? (
        // A failed background refresh: keep showing what we have, and say it may be out of date.
        <Alert tone="warning" role="status">
          <p>This list could not be refreshed, so it may be out of date. {tokens.error.message}</p>
        </Alert>
      ) : null}
      {body}
      <p className="sr-only" role="status" aria-live="polite" data-testid="token-list-status">
        {announcement}
      </p>

      <Dialog
        open={pending !== null}
        onClose={closeConfirm}
        dismissible={!revoke.isPending}
        title={pending ? <>Revoke “{pending.name}”?</> : 'Revoke token?'}
        // After a revoke the button is gone with its row: continue from the list's heading instead.
        returnFocusTo={() => (revokedRef.current ? headingRef.current : trigger.current)}
        actions={
          <>
            <Button variant="secondary" onClick={closeConfirm} disabled={revoke.isPending}>
              Cancel
            </Button>
            <Button variant="danger" onClick={confirmRevoke} isLoading={revoke.isPending} loadingText="Revoking…">
              Revoke token
            </Button>
          </>
        }
      >
        <p>
          Scripts and programs using this token{pending ? <> (<code>{pending.prefix}…</code>)</> : null} stop working at
          once. This cannot be undone.
        </p>
        {revokeError ? (
          <Alert tone="danger" role="alert">
            <p>{revokeError.message}</p>
            {revokeError.kind !== 'http' || revokeError.statusCode >= 500 ? <RequestId id={revokeError.requestId} /> : null}
          </Alert>
        ) : null}
      </Dialog>
    </Card>
  );
}
