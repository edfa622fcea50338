import { useEffect, useRef } from 'react';
import type { Model } from '@visiona/shared';
import { Alert, Button, Dialog, RequestId } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { formatCredits } from '@/lib/format';
import { useCancelModel } from '../api/cancel-model';
import { useDeleteModel } from '../api/delete-model';

export interface ModelAction {
  kind: 'cancel' | 'delete';
  model: Model;
  /** The button that asked, to return focus to. */
  trigger: HTMLButtonElement;
}

export interface ModelDialogsProps {
  action: ModelAction | null;
  onClose: () => void;
  /** After success: what to announce, and whether credits were refunded. */
  onDone: (message: string, refunded: boolean) => void;
}

function ErrorAlert({ error }: { error: Error | null }) {
  if (!error) return null;
  const api = error instanceof ApiError ? error : null;
  return (
    <Alert tone="danger" role="alert">
      <p>{error.message}</p>
      {api && (api.kind !== 'http' || api.statusCode >= 500) ? <RequestId id={api.requestId} /> : null}
    </Alert>
  );
}

/** The confirmations for Cancel training and Delete model (Cancel first in each: the safe choice). */
export function ModelDialogs({ action, onClose, onDone }: ModelDialogsProps) {
  const cancel = useCancelModel();
  const remove = useDeleteModel();
  const deleted = useRef(false);
  const busy = cancel.isPending || remove.isPending;
  const model = action?.model;
  const { reset: resetCancel } = cancel;
  const { reset: resetRemove } = remove;

  // Each confirmation starts clean, without the last one's error.
  useEffect(() => {
    if (!action) return;
    deleted.current = false;
    resetCancel();
    resetRemove();
  }, [action, resetCancel, resetRemove]);

  function close() {
    if (busy) return;
    onClose();
  }

  function confirm() {
    if (!action || busy) return;
    const { model: target } = action;
    if (action.kind === 'cancel') {
      cancel.mutate(target.id, {
        onSuccess: () => {
          onDone(`Canceling the training of ${target.name}. Your credits are refunded once it has stopped.`, false);
          onClose();
        },
      });
    } else {
      remove.mutate(target.id, {
        onSuccess: () => {
          deleted.current = true;
          onDone(`${target.name} deleted.`, false);
          onClose();
        },
      });
    }
  }

  const isCancel = action?.kind === 'cancel';
  return (
    <Dialog
      open={action !== null}
      onClose={close}
      dismissible={!busy}
      title={model ? (isCancel ? <>Cancel the training of “{model.name}”?</> : <>Delete “{model.name}”?</>) : 'Are you sure?'}
      // After a delete (or a cancel, which swaps the button) the trigger is gone: carry on from the page heading.
      returnFocusTo={() => (!deleted.current && action?.trigger.isConnected ? action.trigger : document.querySelector<HTMLElement>('#main-content h1'))}
      actions={
        <>
          <Button variant="secondary" onClick={close} disabled={busy}>
            {isCancel ? 'Keep training' : 'Cancel'}
          </Button>
          <Button
            variant="danger"
            onClick={confirm}
            isLoading={busy}
            loadingText={isCancel ? 'Canceling…' : 'Deleting…'}
          >
            {isCancel ? 'Cancel training' : 'Delete model'}
          </Button>
        </>
      }
    >
      {model && isCancel ? (
        <p>
          The training stops now and cannot be resumed.{' '}
          {model.creditsCost > 0 ? <>Your {formatCredits(model.creditsCost)} are refunded. </> : null}
          The photos it was using are deleted, so upload them again to train another model.
        </p>
      ) : null}
      {model && !isCancel ? (
        <p>
          {model.status === 'Ready'
            ? 'The model and its trained weights are deleted. You can no longer generate images with it; images you already made stay in your gallery.'
            : 'The model is removed from your list.'}{' '}
          This cannot be undone.
        </p>
      ) : null}
      <ErrorAlert error={isCancel ? cancel.error : remove.error} />
    </Dialog>
  );
}
