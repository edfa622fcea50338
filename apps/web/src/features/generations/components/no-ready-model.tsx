import type { Model } from '@visiona/shared';
import { ButtonLink, Card, EmptyState, Icon } from '@/components/ui';
import { paths } from '@/config/paths';

/** Generating needs a trained model: where the person stands, and the way there. */
export function NoReadyModel({ models }: { models: readonly Pick<Model, 'name' | 'status'>[] }) {
  const training = models.find((model) => model.status === 'Processing');
  if (training) {
    return (
      <Card padding="lg">
        <EmptyState
          icon="models"
          title={`${training.name} is still training`}
          description="You can generate images as soon as it is ready: usually within a few minutes. The Models page shows how far along it is."
          action={
            <ButtonLink to={paths.models} icon={<Icon name="models" size={18} />}>
              Follow the training
            </ButtonLink>
          }
        />
      </Card>
    );
  }
  return (
    <Card padding="lg">
      <EmptyState
        icon="generate"
        title="Train a model first"
        description={
          models.length > 0
            ? 'None of your models is ready to generate with. Upload a fresh set of photos and train a new one: it takes a few minutes.'
            : 'Visiona generates pictures of you with a model trained on your photos. Upload 10–30 photos of yourself, then start a training: it takes a few minutes.'
        }
        action={
          <div className="button-row">
            <ButtonLink to={paths.photos} variant="secondary" icon={<Icon name="photos" size={18} />}>
              Upload photos
            </ButtonLink>
            <ButtonLink to={paths.trainModel} icon={<Icon name="models" size={18} />}>
              Train a model
            </ButtonLink>
            {models.length > 0 ? (
              <ButtonLink to={paths.models} variant="ghost" icon={<Icon name="arrowRight" size={18} />}>
                Your models
              </ButtonLink>
            ) : null}
          </div>
        }
      />
    </Card>
  );
}
