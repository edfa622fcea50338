import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';
import { useLoadedConfig } from '@/features/config/api/get-config';

export function Component() {
  const config = useLoadedConfig();
  return (
    <ComingSoonPage
      title="Models"
      icon="models"
      summary="Your personal image models, trained on your photos."
      capabilities={[
        'Start training a personal FLUX LoRA model from your uploaded photos, run on Replicate.',
        'Follow the training while it runs and see when your model is ready.',
        'Choose which of your models to generate images with.',
      ]}
      note={config.features.training ? null : 'This server does not offer model training yet.'}
    />
  );
}
