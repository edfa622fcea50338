import { useId, useRef, useState, type FormEvent } from 'react';
import { Alert, Button, Card, Dialog, Icon, InputField, RequestId } from '@/components/ui';
import { useMe } from '@/features/auth/api/get-me';
import { ApiError } from '@/lib/api-client';
import { useDeleteAccount } from '../api/delete-account';
import { confirmsEmail } from '../utils/confirm-email';
import './account.css';

/**
 * The danger zone: deleting the account, behind a dialog that says exactly what goes and asks
 * for the account's email address. On success the session ends and the sign-in page says why.
 */
export function DeleteAccountSection() {
  const me = useMe();
  const remove = useDeleteAccount();
  const [open, setOpen] = useState(false);
  const [typed, setTyped] = useState('');
  const trigger = useRef<HTMLButtonElement>(null);
  const formId = useId();
  const email = me.data?.email ?? null;
  const matches = confirmsEmail(typed, email);

  function openDialog() {
    remove.reset();
    setTyped('');
    setOpen(true);
  }

  function closeDialog() {
    if (remove.isPending) return;
    setOpen(false);
  }

  function submit(event: FormEvent) {
    event.preventDefault();
    if (!matches || remove.isPending) return;
    remove.mutate(typed.trim());
  }

  const error = remove.error;
  const showReference = error instanceof ApiError && (error.kind !== 'http' || error.statusCode >= 500);

  return (
    <section className="settings-section danger-zone" aria-labelledby="danger-zone-title">
      <div className="settings-section__head">
        <h2 className="settings-section__title" id="danger-zone-title">
          Danger zone
        </h2>
      </div>
      <Card as="div" className="danger-zone__card">
        <div className="danger-zone__text">
          <h3 className="danger-zone__title">Delete your account</h3>
          <p className="danger-zone__description">
            Deletes your photos, models, images and everything else in your account, and cancels your subscription. This
            cannot be undone.
          </p>
        </div>
        <Button
          ref={trigger}
          variant="secondary"
          className="btn--danger-outline danger-zone__button"
          icon={<Icon name="trash" size={16} />}
          onClick={openDialog}
          disabled={!email}
        >
          Delete account…
        </Button>
      </Card>

      <Dialog
        open={open}
        onClose={closeDialog}
        dismissible={!remove.isPending}
        title="Delete your account?"
        className="delete-account-dialog"
        returnFocusTo={() => trigger.current}
        actions={
          <>
            <Button variant="secondary" onClick={closeDialog} disabled={remove.isPending}>
              Cancel
            </Button>
            <Button
              type="submit"
              form={formId}
              variant="danger"
              disabled={!matches}
              isLoading={remove.isPending}
              loadingText="Deleting…"
              icon={<Icon name="trash" size={16} />}
            >
              Delete account
            </Button>
          </>
        }
      >
        <p>This deletes, for good:</p>
        <ul className="delete-account-dialog__list">
          <li>your uploaded photos and every image you generated;</li>
          <li>your trained models, here and on Replicate, where they were trained;</li>
          <li>your prompts, credits, API tokens and account activity;</li>
          <li>your subscription, which is cancelled: you will not be charged again.</li>
        </ul>
        <p>
          Payment records are kept, without your name, because the law requires it. You are signed out at once, and this{' '}
          <strong>cannot be undone</strong>. If you want a copy of your images and data, cancel and use{' '}
          <strong>Export your data</strong> first.
        </p>
        <form id={formId} onSubmit={submit} noValidate>
          <InputField
            label={
              <>
                To confirm, type your email address, <span className="break-anywhere">{email}</span>
              </>
            }
            required
            name="confirm-email"
            type="text"
            inputMode="email"
            autoComplete="off"
            autoCapitalize="none"
            autoCorrect="off"
            spellCheck={false}
            value={typed}
            onChange={(event) => setTyped(event.target.value)}
            disabled={remove.isPending}
            hint={matches ? 'The address matches.' : 'The Delete button works once the address matches.'}
          />
        </form>
        {error ? (
          <Alert tone="danger" role="alert">
            <p>{error.message}</p>
            {showReference ? <RequestId id={error.requestId} /> : null}
          </Alert>
        ) : null}
      </Dialog>
    </section>
  );
}
