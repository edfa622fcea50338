import { Link } from 'react-router';
import { Card, CardHeader, Icon, cx, type IconName } from '@/components/ui';
import { paths } from '@/config/paths';
import type { StartSteps, StepStatus } from '../utils/progress';

interface Step {
  key: keyof StartSteps;
  title: string;
  description: string;
  to: string;
  cta: string;
  icon: IconName;
}

const steps: Step[] = [
  {
    key: 'photos',
    title: 'Upload your photos',
    description:
      'Add 10 to 30 clear photos of yourself with different angles, expressions and lighting. Only you can see them.',
    to: paths.photos,
    cta: 'Go to Photos',
    icon: 'photos',
  },
  {
    key: 'train',
    title: 'Train your model',
    description:
      'Visiona fine-tunes a personal FLUX model on your photos with Replicate. Training runs in the background.',
    to: paths.models,
    cta: 'Go to Models',
    icon: 'models',
  },
  {
    key: 'generate',
    title: 'Generate images of yourself',
    description:
      'Describe a scene in a few words and get new pictures of you. Every image is kept in your private gallery.',
    to: paths.generate,
    cta: 'Go to Generate',
    icon: 'generate',
  },
];

const STATE_LABELS: Record<StepStatus['state'], string> = { done: 'Done', current: 'Next', upcoming: 'Later' };

/**
 * The product's three steps, in order, each linking to where it happens. Once the person's photos and
 * models are known, each step says where it stands: done ones are ticked, and the next one stands out.
 */
export function GettingStarted({ progress }: { progress?: StartSteps | undefined }) {
  const ready = progress?.generate.state === 'current';
  return (
    <Card padding="lg" aria-labelledby="getting-started-title">
      <CardHeader
        id="getting-started-title"
        title="Getting started"
        description={
          ready
            ? 'Your model is trained: describe a scene and get new pictures of yourself. Every image is kept in your gallery.'
            : 'Creating your AI clone takes three steps. Each one unlocks the next.'
        }
      />
      <ol className="steps">
        {steps.map((step, index) => {
          const status = progress?.[step.key];
          return (
            <li key={step.to} className={cx('steps__item', status && `steps__item--${status.state}`)} data-testid={`step-${step.key}`} data-state={status?.state}>
              <span className="steps__number" aria-hidden="true">
                {status?.state === 'done' ? <Icon name="check" size={18} /> : index + 1}
              </span>
              <div className="steps__body">
                <h3 className="steps__title">
                  <span className="sr-only">
                    Step {index + 1}
                    {status ? ` (${STATE_LABELS[status.state].toLowerCase()})` : ''}:{' '}
                  </span>
                  {step.title}
                </h3>
                <p className="steps__description">{step.description}</p>
                {status?.note ? <p className="steps__note">{status.note}</p> : null}
              </div>
              <Link to={step.to} className={cx('steps__link', status?.state === 'current' && 'steps__link--primary')}>
                {step.cta}
                <Icon name="arrowRight" size={16} />
              </Link>
            </li>
          );
        })}
      </ol>
    </Card>
  );
}
