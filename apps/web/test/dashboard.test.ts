import { describe, expect, it } from 'vitest';
import { startSteps } from '@/features/dashboard/utils/progress';

const model = (name: string, status: 'Processing' | 'Ready' | 'Failed' | 'Canceled') => ({ name, status });

describe('the dashboard’s three steps', () => {
  it('starts at uploading, and counts the photos towards the minimum', () => {
    expect(startSteps({ photoCount: 0, minPhotos: 10, models: [] })).toEqual({
      photos: { state: 'current', note: null },
      train: { state: 'upcoming', note: null },
      generate: { state: 'upcoming', note: null },
    });
    expect(startSteps({ photoCount: 4, minPhotos: 10, models: [] }).photos).toEqual({ state: 'current', note: '4 of 10 photos so far.' });
  });

  it('moves on to training once there are enough photos', () => {
    expect(startSteps({ photoCount: 12, minPhotos: 10, models: [model('Old', 'Failed')] })).toEqual({
      photos: { state: 'done', note: '12 photos uploaded, enough to train.' },
      train: { state: 'current', note: null },
      generate: { state: 'upcoming', note: null },
    });
  });

  it('counts the photos as done while a training runs (it deletes them) and says which model trains', () => {
    const steps = startSteps({ photoCount: 0, minPhotos: 10, models: [model('Summer me', 'Processing')] });
    expect(steps.photos).toEqual({ state: 'done', note: null });
    expect(steps.train).toEqual({ state: 'current', note: '“Summer me” is training; it takes a few minutes.' });
    expect(steps.generate.state).toBe('upcoming');
  });

  it('opens generating once a model is ready, even with a new set of photos uploaded', () => {
    expect(startSteps({ photoCount: 4, minPhotos: 10, models: [model('Winter me', 'Processing'), model('Summer me', 'Ready')] })).toEqual({
      photos: { state: 'done', note: null },
      train: { state: 'done', note: '“Summer me” is ready.' },
      generate: { state: 'current', note: 'Your model “Summer me” is ready for prompts.' },
    });
  });
});
