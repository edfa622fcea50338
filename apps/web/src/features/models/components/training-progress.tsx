import { useId } from 'react';
import type { TrainingProgress as Progress } from '@visiona/shared';
import { ProgressBar, Spinner } from '@/components/ui';
import { describeProgress } from '../utils/training-progress';

/** The live bar of a running training: phase, percent, step and time left. */
export function TrainingProgress({ progress, name, canceling = false }: { progress: Progress; name: string; canceling?: boolean }) {
  const view = describeProgress(progress);
  const phaseLabel = canceling ? 'Stopping the training' : view.phaseLabel;
  const labelId = useId();
  return (
    <div className="training-progress" data-testid="training-progress" data-phase={progress.phase}>
      <div className="training-progress__head">
        <span className="training-progress__phase" id={labelId}>
          <Spinner size="sm" label={null} />
          {phaseLabel}
          <span className="sr-only">: {name}</span>
        </span>
        {view.percent !== null ? (
          <span className="training-progress__percent" aria-hidden="true">
            {view.percent}%
          </span>
        ) : null}
      </div>
      <ProgressBar value={view.percent} labelledBy={labelId} valueText={view.valueText} />
      {view.stepText || view.etaText ? (
        <p className="training-progress__details" aria-hidden="true">
          {view.stepText ? <span data-testid="training-step">{view.stepText}</span> : null}
          {view.etaText ? <span data-testid="training-eta">{view.etaText}</span> : null}
        </p>
      ) : (
        <p className="training-progress__details" aria-hidden="true">
          <span>{canceling ? 'Your credits are refunded once it has stopped.' : 'Training usually starts within a minute.'}</span>
        </p>
      )}
    </div>
  );
}
