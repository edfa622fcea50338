import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';

export function Component() {
  return (
    <ComingSoonPage
      title="Settings"
      icon="settings"
      summary="Your account details and preferences."
      capabilities={[
        'Change your password.',
        'Sign out of every device at once.',
        'Delete your account along with your photos, models and images.',
      ]}
    />
  );
}
