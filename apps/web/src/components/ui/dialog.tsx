import { useEffect, useId, useRef, type ReactNode } from 'react';
import { cx } from './cx';

export interface DialogProps {
  open: boolean;
  /** Called when the person dismisses the dialog (Escape, or a Cancel button that calls it). */
  onClose: () => void;
  title: ReactNode;
  children?: ReactNode;
  /** The buttons, right-aligned at the bottom. */
  actions: ReactNode;
  /** Refuse Escape while something is in flight, so the outcome is not missed. */
  dismissible?: boolean;
  /** Element to focus when the dialog closes (defaults to whatever had focus before it opened). */
  returnFocusTo?: () => HTMLElement | null | undefined;
  className?: string;
}

/**
 * A modal dialog on the native <dialog> element: the browser traps focus, makes the rest of the
 * page inert and handles Escape. Focus starts on the first focusable element in the dialog
 * (put the safe choice first) and returns where it was when the dialog closes.
 */
export function Dialog({ open, onClose, title, children, actions, dismissible = true, returnFocusTo, className }: DialogProps) {
  const ref = useRef<HTMLDialogElement>(null);
  const titleId = useId();
  const bodyId = useId();
  const previousFocus = useRef<HTMLElement | null>(null);
  const returnFocusRef = useRef(returnFocusTo);
  useEffect(() => {
    returnFocusRef.current = returnFocusTo;
  });

  useEffect(() => {
    const dialog = ref.current;
    if (!dialog) return;
    if (open && !dialog.open) {
      previousFocus.current = document.activeElement instanceof HTMLElement ? document.activeElement : null;
      dialog.showModal();
    } else if (!open && dialog.open) {
      dialog.close();
      const target = returnFocusRef.current?.() ?? previousFocus.current;
      if (target?.isConnected) target.focus();
    }
  }, [open]);

  // Closing on unmount too, so the page never stays inert.
  useEffect(() => () => ref.current?.close(), []);

  return (
    <dialog
      ref={ref}
      className={cx('dialog', className)}
      aria-labelledby={titleId}
      aria-describedby={children ? bodyId : undefined}
      onCancel={(event) => {
        // Escape: let React state decide, so `open` stays the single source of truth.
        event.preventDefault();
        if (dismissible) onClose();
      }}
    >
      <div className="dialog__content">
        <h2 className="dialog__title" id={titleId}>
          {title}
        </h2>
        {children ? (
          <div className="dialog__body" id={bodyId}>
            {children}
          </div>
        ) : null}
        <div className="dialog__actions">{actions}</div>
      </div>
    </dialog>
  );
}
