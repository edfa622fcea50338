import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';

export function Component() {
  return (
    <ComingSoonPage
      title="Gallery"
      icon="gallery"
      summary="Every image you generate, kept private to your account."
      capabilities={[
        'Browse the images you have generated, newest first, with the prompt behind each one.',
        'Download the images you like in full resolution.',
        'Delete the ones you do not want to keep.',
      ]}
    />
  );
}
