import { useEffect, useMemo } from 'react';
import { useQueryClient } from '@tanstack/react-query';
import type { AuditEvent } from '@visiona/shared';
import { Alert, Button, Card, EmptyState, ErrorState, Skeleton, SkeletonList } from '@/components/ui';
import { formatDateTime } from '@/lib/format';
import { auditQueryKey, useAudit } from '../api/get-audit';
import { describeAuditEvent, groupAuditEventsByDay } from '../utils/labels';

const TIME_FORMAT = new Intl.DateTimeFormat(undefined, { timeStyle: 'short' });

function formatTime(iso: string): string {
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : TIME_FORMAT.format(date);
}

/**
 * Most changes to the account (a token created, a training started) add an event: refresh the
 * history after any successful mutation rather than have every feature know about this one.
 */
function useRefreshAfterMutations() {
  const queryClient = useQueryClient();
  useEffect(
    () =>
      queryClient.getMutationCache().subscribe((event) => {
        if (event.type === 'updated' && event.action.type === 'success') void queryClient.invalidateQueries({ queryKey: auditQueryKey });
      }),
    [queryClient],
  );
}

function AuditItem({ event }: { event: AuditEvent }) {
  return (
    <li className="audit-item" data-testid="audit-item" data-action={event.action}>
      <span className="audit-item__label">{describeAuditEvent(event)}</span>
      <time className="audit-item__time" dateTime={event.createdAt} title={formatDateTime(event.createdAt)}>
        {formatTime(event.createdAt)}
      </time>
    </li>
  );
}

function AuditSkeleton() {
  return (
    <SkeletonList label="Loading your account activity" className="audit-list" rows={4}>
      <li className="audit-item">
        <Skeleton width="min(16rem, 70%)" height="1rem" />
        <Skeleton width="4rem" height="0.9rem" />
      </li>
    </SkeletonList>
  );
}

/** The account's audit history, newest first, a page at a time. */
export function AccountActivitySection() {
  const audit = useAudit();
  useRefreshAfterMutations();
  const events = useMemo(() => audit.data?.pages.flatMap((page) => page.items), [audit.data]);
  const days = useMemo(() => (events ? groupAuditEventsByDay(events) : []), [events]);

  let body;
  if (audit.isPending) {
    body = <AuditSkeleton />;
  } else if (!events) {
    body = (
      <ErrorState
        level={3}
        className="state--compact"
        title="Your account activity could not be loaded"
        error={audit.error}
        onRetry={() => void audit.refetch()}
        isRetrying={audit.isFetching}
      />
    );
  } else if (events.length === 0) {
    body = (
      <EmptyState
        level={3}
        className="state--compact"
        icon="clock"
        title="No activity yet"
        description="Sign-ins, API tokens, trainings, plan changes and payments will be listed here."
      />
    );
  } else {
    body = (
      <>
        <ol className="audit-days" aria-label="Account activity, newest first">
          {days.map(({ day, events: dayEvents }) => (
            <li key={day} className="audit-day">
              <h3 className="audit-day__title">{day}</h3>
              <ul className="audit-list">
                {dayEvents.map((event) => (
                  <AuditItem key={event.id} event={event} />
                ))}
              </ul>
            </li>
          ))}
        </ol>
        {audit.isFetchNextPageError ? (
          <Alert tone="warning" role="alert">
            <p>Older activity could not be loaded. {audit.error?.message}</p>
          </Alert>
        ) : audit.isRefetchError ? (
          <Alert tone="warning" role="status">
            <p>This list could not be refreshed, so it may be out of date. {audit.error?.message}</p>
          </Alert>
        ) : null}
        {audit.hasNextPage ? (
          <div className="audit-more">
            <Button
              variant="secondary"
              onClick={() => void audit.fetchNextPage()}
              isLoading={audit.isFetchingNextPage}
              loadingText="Loading older activity…"
            >
              Load more activity
            </Button>
          </div>
        ) : null}
      </>
    );
  }

  return (
    <section className="settings-section" aria-labelledby="account-activity-title">
      <div className="settings-section__head">
        <h2 className="settings-section__title" id="account-activity-title">
          Account activity
        </h2>
        <p className="settings-section__description">
          What happened on your account, newest first: sign-ins, API tokens, trainings, plan changes, credits and payments.
          If you see something you did not do, change your password and revoke your tokens.
        </p>
      </div>
      <Card as="div" data-testid="account-activity">
        {body}
      </Card>
    </section>
  );
}
