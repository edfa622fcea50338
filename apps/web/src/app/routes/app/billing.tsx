import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';
import { useLoadedConfig } from '@/features/config/api/get-config';

export function Component() {
  const config = useLoadedConfig();
  return (
    <ComingSoonPage
      title="Billing"
      icon="billing"
      summary="Your plan and payments."
      capabilities={[
        'Compare plans and upgrade, with payment handled securely by Stripe.',
        'See which plan you are on and what it includes.',
        'Manage your subscription and download invoices.',
      ]}
      note={config.features.billing ? null : 'This server does not take payments yet.'}
    />
  );
}
