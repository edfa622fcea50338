import { ComingSoonPage } from '@/features/coming-soon/components/coming-soon-page';
import { useLoadedConfig } from '@/features/config/api/get-config';

export function Component() {
  const config = useLoadedConfig();
  return (
    <ComingSoonPage
      title="Generate"
      icon="generate"
      summary="Where you describe a scene and get new pictures of yourself."
      capabilities={[
        'Write a prompt, such as “me hiking at sunrise in the Alps”, and generate images with your model.',
        'Optionally let an AI rewrite your prompt into a richer, more detailed one before generating.',
        'Find every result in your private gallery.',
      ]}
      note={config.features.promptEnhancement ? null : 'This server does not offer prompt enhancement yet.'}
    />
  );
}
