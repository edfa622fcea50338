import { Link } from 'react-router';
import { Card, CardHeader, Icon, type IconName } from '@/components/ui';
import { paths } from '@/config/paths';

interface Step {
  title: string;
  description: string;
  to: string;
  cta: string;
  icon: IconName;
}

const steps: Step[] = [
  {
    title: 'Upload your photos',
    description:
      'Add 10 to 30 clear photos of yourself with different angles, expressions and lighting. Only you can see them.',
    to: paths.photos,
    cta: 'Go to Photos',
    icon: 'photos',
  },
  {
    title: 'Train your model',
    description:
      'Visiona fine-tunes a personal FLUX model on your photos with Replicate. Training runs in the background.',
    to: paths.models,
    cta: 'Go to Models',
    icon: 'models',
  },
  {
    title: 'Generate images of yourself',
    description:
      'Describe a scene in a few words and get new pictures of you. Every image is kept in your private gallery.',
    to: paths.generate,
    cta: 'Go to Generate',
    icon: 'generate',
  },
];

/** The product's three steps, in order, each linking to where it happens. */
export function GettingStarted() {
  return (
    <Card padding="lg" aria-labelledby="getting-started-title">
      <CardHeader
        id="getting-started-title"
        title="Getting started"
        description="Creating your AI clone takes three steps. Each one unlocks the next."
      />
      <ol className="steps">
        {steps.map((step, index) => (
          <li key={step.to} className="steps__item">
            <span className="steps__number" aria-hidden="true">
              {index + 1}
            </span>
            <div className="steps__body">
              <h3 className="steps__title">
                <span className="sr-only">Step {index + 1}: </span>
                {step.title}
              </h3>
              <p className="steps__description">{step.description}</p>
            </div>
            <Link to={step.to} className="steps__link">
              {step.cta}
              <Icon name="arrowRight" size={16} />
            </Link>
          </li>
        ))}
      </ol>
    </Card>
  );
}
