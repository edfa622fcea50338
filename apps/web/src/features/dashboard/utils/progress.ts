import type { Model } from '@visiona/shared';

/** What the dashboard knows of the person's way through the three steps. */
export interface StartProgress {
  /** Photos waiting for a training (training deletes them). */
  photoCount: number;
  minPhotos: number;
  models: readonly Pick<Model, 'name' | 'status'>[];
}

export type StepState = 'done' | 'current' | 'upcoming';

export interface StepStatus {
  state: StepState;
  /** One line on where this step stands; null when there is nothing to add to its description. */
  note: string | null;
}

export interface StartSteps {
  photos: StepStatus;
  train: StepStatus;
  generate: StepStatus;
}

/**
 * Where each step stands. Uploading counts as done once there are enough photos or a model exists (a
 * training deletes its photos); training once a model is Ready; generating is never done, only open.
 */
export function startSteps({ photoCount, minPhotos, models }: StartProgress): StartSteps {
  const ready = models.find((model) => model.status === 'Ready');
  const training = models.find((model) => model.status === 'Processing');
  const enoughPhotos = photoCount >= minPhotos;
  const photosDone = enoughPhotos || ready !== undefined || training !== undefined;

  const photos: StepStatus = photosDone
    ? { state: 'done', note: ready || training ? null : `${photoCount} photos uploaded, enough to train.` }
    : { state: 'current', note: photoCount > 0 ? `${photoCount} of ${minPhotos} photos so far.` : null };

  let train: StepStatus;
  if (ready) train = { state: 'done', note: `“${ready.name}” is ready.` };
  else if (training) train = { state: 'current', note: `“${training.name}” is training; it takes a few minutes.` };
  else train = { state: photosDone ? 'current' : 'upcoming', note: null };

  const generate: StepStatus = ready ? { state: 'current', note: `Your model “${ready.name}” is ready for prompts.` } : { state: 'upcoming', note: null };
  return { photos, train, generate };
}
