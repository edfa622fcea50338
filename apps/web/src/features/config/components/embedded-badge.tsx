import { Badge, Icon, cx } from '@/components/ui';

/**
 * Tells people this server runs on its embedded database and local emulators,
 * so trained models, generated images and payments are simulated.
 */
export function EmbeddedBadge({ embedded, className }: { embedded: boolean; className?: string }) {
  if (!embedded) return null;
  return (
    <Badge
      tone="warning"
      className={cx('embedded-badge', className)}
      title="This Visiona server runs with an embedded database and simulated services: training, image generation and payments are not real."
      data-testid="embedded-badge"
    >
      <Icon name="flask" size={14} />
      Local mode · simulated services
    </Badge>
  );
}
