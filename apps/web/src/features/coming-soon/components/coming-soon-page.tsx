import type { ReactNode } from 'react';
import { ButtonLink, Card, Checklist, Icon, PageHeader, type IconName } from '@/components/ui';
import { paths } from '@/config/paths';

export interface ComingSoonPageProps {
  title: string;
  icon: IconName;
  /** One sentence: what the page is for. */
  summary: string;
  /** What the page will let people do, once built. */
  capabilities: string[];
  /** Extra context, e.g. a note that depends on the server's configuration. */
  note?: ReactNode;
}

/** A page that exists in the navigation but is not built yet, and says so. */
export function ComingSoonPage({ title, icon, summary, capabilities, note }: ComingSoonPageProps) {
  return (
    <div className="page">
      <PageHeader title={title} description={summary} />
      <Card padding="lg" className="coming-soon">
        <div className="coming-soon__head">
          <span className="coming-soon__icon">
            <Icon name={icon} size={24} />
          </span>
          <div>
            <h2 className="coming-soon__title">This page is not available yet</h2>
            <p className="muted">
              {title} is part of Visiona but has not been built into this version of the app. Nothing here works yet,
              and nothing is saved.
            </p>
          </div>
        </div>
        <h3 className="coming-soon__subtitle">What you will be able to do here</h3>
        <Checklist items={capabilities} />
        {note ? <div className="coming-soon__note">{note}</div> : null}
        <div>
          <ButtonLink to={paths.home} variant="secondary" size="sm">
            Back to the dashboard
          </ButtonLink>
        </div>
      </Card>
    </div>
  );
}
