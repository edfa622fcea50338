import type { Model, ModelStatus, TrainingProgress } from '@visiona/shared';

/** How often the Models page asks for news while a training runs. */
export const MODEL_POLL_MS = 2000;

/** Poll while any model is still training; stop once none is. */
export function modelsRefetchInterval(models: ReadonlyArray<Pick<Model, 'status'>> | undefined): number | false {
  return models?.some((model) => model.status === 'Processing') ? MODEL_POLL_MS : false;
}

export const STATUS_LABELS: Record<ModelStatus, string> = {
  Processing: 'Training',
  Ready: 'Ready',
  Failed: 'Failed',
  Canceled: 'Canceled',
};

export const PHASE_LABELS: Record<TrainingProgress['phase'], string> = {
  queued: 'Waiting for a GPU',
  starting: 'Starting the trainer',
  training: 'Training on your photos',
  finishing: 'Saving your model',
  done: 'Done',
};

/** "about 3 min left", "less than a minute left", "about 1 h 20 min left"; null when unknown. */
export function formatEta(seconds: number | null | undefined): string | null {
  if (seconds === null || seconds === undefined || !Number.isFinite(seconds) || seconds < 0) return null;
  if (seconds < 45) return 'less than a minute left';
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `about ${minutes} min left`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `about ${hours} h left` : `about ${hours} h ${rest} min left`;
}

/** "45 s", "4 min", "1 h 5 min": how long something took. */
export function formatDuration(ms: number): string {
  if (!Number.isFinite(ms) || ms < 0) return '';
  const seconds = Math.round(ms / 1000);
  if (seconds < 60) return `${seconds} s`;
  const minutes = Math.round(seconds / 60);
  if (minutes < 60) return `${minutes} min`;
  const hours = Math.floor(minutes / 60);
  const rest = minutes % 60;
  return rest === 0 ? `${hours} h` : `${hours} h ${rest} min`;
}

export interface ProgressView {
  /** Null while the trainer has not reported steps yet (the bar moves without a value). */
  percent: number | null;
  phaseLabel: string;
  /** "Step 420 of 1,000" */
  stepText: string | null;
  etaText: string | null;
  /** For screen readers: "42%, step 420 of 1,000, about 3 min left". */
  valueText: string;
}

/** What the progress bar and the lines under it say. */
export function describeProgress(progress: TrainingProgress, locale?: string): ProgressView {
  const number = new Intl.NumberFormat(locale);
  const phaseLabel = PHASE_LABELS[progress.phase] ?? 'Training';
  const measured = progress.phase === 'training' || progress.phase === 'finishing' || progress.phase === 'done' || progress.percent > 0;
  const percent = measured ? Math.round(Math.min(100, Math.max(0, progress.percent))) : null;
  const stepText =
    progress.step !== null && progress.totalSteps !== null
      ? `Step ${number.format(progress.step)} of ${number.format(progress.totalSteps)}`
      : null;
  const etaText = measured && progress.phase !== 'done' ? formatEta(progress.etaSeconds) : null;
  const valueText = percent === null ? phaseLabel : [`${percent}%`, stepText?.toLowerCase(), etaText].filter(Boolean).join(', ');
  return { percent, phaseLabel, stepText, etaText, valueText };
}

/** Which models changed from training to finished between two lists (to announce them). */
export function newlyFinished(previous: readonly Model[] | undefined, next: readonly Model[]): Model[] {
  if (!previous) return [];
  const wasProcessing = new Set(previous.filter((model) => model.status === 'Processing').map((model) => model.id));
  return next.filter((model) => wasProcessing.has(model.id) && model.status !== 'Processing');
}
