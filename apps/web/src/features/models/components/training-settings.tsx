import { useId } from 'react';
import { TRAINER_OPTIMIZERS, TRAINER_RESOLUTIONS, TRAINING_RANGES, type TrainingParameters } from '@visiona/shared';
import { Button, Card, CardHeader, Icon, InputField, SelectField, cx } from '@/components/ui';
import type { FieldErrors } from '@/lib/form-errors';
import {
  CAPTION_AFFIX_MAX_LENGTH,
  advancedChanged,
  formatLearningRate,
  toggleResolution,
  type Optimizer,
  type TrainField,
  type TrainFormValues,
} from '../utils/train-form';

export interface TrainingSettingsProps {
  values: TrainFormValues;
  errors: FieldErrors<TrainField>;
  defaults: TrainingParameters;
  onChange: <K extends keyof TrainFormValues>(field: K, value: TrainFormValues[K]) => void;
  onReset: () => void;
  advancedOpen: boolean;
  onAdvancedToggle: (open: boolean) => void;
  /** Ids the form focuses when a field is invalid. */
  fieldId: (field: keyof TrainFormValues) => string;
}

const number = new Intl.NumberFormat('en-US');
const range = (r: { min: number; max: number }) => `${number.format(r.min)}–${number.format(r.max)}`;

const OPTIMIZER_OPTIONS = TRAINER_OPTIMIZERS.map((value) => ({ value, label: value }));

function isOptimizer(value: string): value is Optimizer {
  return (TRAINER_OPTIMIZERS as readonly string[]).includes(value);
}

/** The trainer's parameters: steps and captions up front, the rest folded away. */
export function TrainingSettings({ values, errors, defaults, onChange, onReset, advancedOpen, onAdvancedToggle, fieldId }: TrainingSettingsProps) {
  const resolutionHintId = useId();
  const resolutionErrorId = useId();
  const changed = advancedChanged(values, defaults);

  return (
    <Card aria-labelledby="training-settings-title">
      <CardHeader
        id="training-settings-title"
        title="Training"
        description="The defaults suit most photo sets. Change them only if you know what they do."
      />
      <InputField
        id={fieldId('steps')}
        label="Training steps"
        type="number"
        inputMode="numeric"
        min={TRAINING_RANGES.steps.min}
        max={TRAINING_RANGES.steps.max}
        step={50}
        required
        value={values.steps}
        onChange={(e) => onChange('steps', e.target.value)}
        error={errors.steps}
        hint={`${range(TRAINING_RANGES.steps)}. More steps learn more detail and take longer; ${number.format(defaults.steps)} suits most sets.`}
      />

      <div className="choice">
        <input
          id={fieldId('autocaption')}
          type="checkbox"
          className="choice__input"
          checked={values.autocaption}
          onChange={(e) => onChange('autocaption', e.target.checked)}
          aria-describedby="autocaption-description"
        />
        <div className="choice__text">
          <label htmlFor={fieldId('autocaption')} className="choice__label">
            Caption photos automatically
          </label>
          <p className="choice__description" id="autocaption-description">
            Describes each photo before training, so the model learns you rather than the background.
          </p>
        </div>
      </div>

      <details className="advanced" open={advancedOpen} onToggle={(e) => onAdvancedToggle(e.currentTarget.open)}>
        <summary className="advanced__summary">
          <span>Advanced settings</span>
          {changed ? <span className="advanced__changed">changed</span> : null}
          <Icon name="arrowRight" size={16} className="advanced__chevron" />
        </summary>
        <div className="advanced__body">
          <div className="form-grid">
            <InputField
              id={fieldId('loraRank')}
              label="LoRA rank"
              type="number"
              inputMode="numeric"
              min={TRAINING_RANGES.loraRank.min}
              max={TRAINING_RANGES.loraRank.max}
              required
              value={values.loraRank}
              onChange={(e) => onChange('loraRank', e.target.value)}
              error={errors.loraRank}
              hint={`${range(TRAINING_RANGES.loraRank)}. Higher captures more detail, with larger weights.`}
            />
            <InputField
              id={fieldId('learningRate')}
              label="Learning rate"
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              required
              value={values.learningRate}
              onChange={(e) => onChange('learningRate', e.target.value)}
              error={errors.learningRate}
              hint={`${formatLearningRate(TRAINING_RANGES.learningRate.min)}–${formatLearningRate(TRAINING_RANGES.learningRate.max)}. How big each learning step is.`}
            />
            <InputField
              id={fieldId('batchSize')}
              label="Batch size"
              type="number"
              inputMode="numeric"
              min={TRAINING_RANGES.batchSize.min}
              max={TRAINING_RANGES.batchSize.max}
              required
              value={values.batchSize}
              onChange={(e) => onChange('batchSize', e.target.value)}
              error={errors.batchSize}
              hint={`${range(TRAINING_RANGES.batchSize)}. Photos per step.`}
            />
            <SelectField
              id={fieldId('optimizer')}
              label="Optimizer"
              options={OPTIMIZER_OPTIONS}
              value={values.optimizer}
              onChange={(e) => {
                if (isOptimizer(e.target.value)) onChange('optimizer', e.target.value);
              }}
              error={errors.optimizer}
              hint={`The trainer's default is ${defaults.optimizer}.`}
            />
          </div>

          <fieldset
            className={cx('resolutions', errors.resolution && 'resolutions--invalid')}
            aria-describedby={[errors.resolution ? resolutionErrorId : null, resolutionHintId].filter(Boolean).join(' ')}
          >
            <legend className="field__label">Resolutions</legend>
            <p className="field__hint" id={resolutionHintId}>
              Sizes, in pixels, the photos are trained at. More sizes generalise better.
            </p>
            {errors.resolution ? (
              <p className="field__error" id={resolutionErrorId}>
                <Icon name="alert" size={16} />
                <span>{errors.resolution}</span>
              </p>
            ) : null}
            <div className="resolutions__options">
              {TRAINER_RESOLUTIONS.map((resolution, index) => {
                const id = index === 0 ? fieldId('resolution') : `${fieldId('resolution')}-${resolution}`;
                const checked = values.resolution.includes(resolution);
                return (
                  <label key={resolution} htmlFor={id} className={cx('chip-option', checked && 'chip-option--checked')}>
                    <input
                      id={id}
                      type="checkbox"
                      checked={checked}
                      onChange={(e) => onChange('resolution', toggleResolution(values.resolution, resolution, e.target.checked))}
                    />
                    <span>{resolution} px</span>
                  </label>
                );
              })}
            </div>
          </fieldset>

          <div className="form-grid">
            <InputField
              id={fieldId('autocaptionPrefix')}
              label="Caption prefix"
              maxLength={CAPTION_AFFIX_MAX_LENGTH + 50}
              value={values.autocaptionPrefix}
              onChange={(e) => onChange('autocaptionPrefix', e.target.value)}
              error={errors.autocaptionPrefix}
              hint="Put before each automatic caption, e.g. “a photo of”."
              disabled={!values.autocaption}
            />
            <InputField
              id={fieldId('autocaptionSuffix')}
              label="Caption suffix"
              maxLength={CAPTION_AFFIX_MAX_LENGTH + 50}
              value={values.autocaptionSuffix}
              onChange={(e) => onChange('autocaptionSuffix', e.target.value)}
              error={errors.autocaptionSuffix}
              hint="Put after each automatic caption, e.g. “in natural light”."
              disabled={!values.autocaption}
            />
          </div>
          <div>
            <Button variant="ghost" size="sm" onClick={onReset} disabled={!changed && values.steps === String(defaults.steps)} icon={<Icon name="refresh" size={14} />}>
              Reset to defaults
            </Button>
          </div>
        </div>
      </details>
    </Card>
  );
}
