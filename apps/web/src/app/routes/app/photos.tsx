import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';

export function Component() {
  return (
    <ComingSoonPage
      title="Photos"
      icon="photos"
      summary="The photos of you that Visiona learns your likeness from."
      capabilities={[
        'Upload 10 to 30 photos of yourself from your phone or computer.',
        'See tips on what makes a good training photo: clear face, varied angles, expressions and lighting.',
        'Remove photos you do not want used before training a model.',
      ]}
    />
  );
}
