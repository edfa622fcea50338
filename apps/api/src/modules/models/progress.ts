/**
 * Progress from the trainer's tqdm lines, e.g.
 *   flux_train_replicate:  10%|█   | 100/1000 [01:23<12:34, 1.19it/s, lr: 4.0e-04 loss: 3.2e-01]
 * The replicate SDK's parseProgressFromLogs does not match these (the prefix and
 * the extra postfix), so Visiona reads them itself: the last complete line wins.
 */
export interface TrainerProgress {
  percent: number;
  step: number;
  totalSteps: number;
  etaSeconds: number | null;
}

const TQDM = /(\d{1,3})%\|[^|\n]*\|\s*(\d+)\/(\d+)\s*\[([0-9:]+)<([0-9:?]+)/g;

function seconds(clock: string): number | null {
  if (!/^\d+(:\d+){0,2}$/.test(clock)) return null;
  return clock.split(':').reduce((total, part) => total * 60 + Number(part), 0);
}

export function parseTrainerProgress(logs: string): TrainerProgress | null {
  let last: RegExpExecArray | null = null;
  for (const m of logs.matchAll(TQDM)) last = m;
  if (!last) return null;
  const step = Number(last[2]);
  const totalSteps = Number(last[3]);
  if (!(totalSteps > 0) || step > totalSteps) return null;
  return {
    percent: Math.min(100, Math.round((step / totalSteps) * 1000) / 10),
    step,
    totalSteps,
    etaSeconds: seconds(last[5]!),
  };
}
