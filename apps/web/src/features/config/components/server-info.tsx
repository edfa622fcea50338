import type { PublicConfig } from '@visiona/shared';
import { EmbeddedBadge } from './embedded-badge';

/** Facts about the server, for the bottom of the sign-in pages. */
export function ServerInfo({ config }: { config: PublicConfig }) {
  return (
    <div className="server-info">
      <EmbeddedBadge embedded={config.embedded} />
      <span className="server-info__version" data-testid="server-version">
        Visiona {config.version}
      </span>
    </div>
  );
}
