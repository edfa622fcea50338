import { useEffect } from 'react';

export const APP_NAME = 'Visiona';

export function formatTitle(title: string | null | undefined): string {
  return title ? `${title} · ${APP_NAME}` : APP_NAME;
}

/** Sets the tab's title while the calling component is shown. */
export function useDocumentTitle(title: string | null | undefined): void {
  useEffect(() => {
    document.title = formatTitle(title);
  }, [title]);
}
