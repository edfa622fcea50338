import type { ChangeEvent } from 'react';
import { TRAINER_OPTIMIZERS, TRAINER_RESOLUTIONS, TRAINING_RANGES, type TrainingParameters } from '@visiona/shared';
import { Button, Card, CardHeader, CheckboxCard, CheckboxGroup, Icon, InputField, SelectField, cx } from '@/components/ui';
import type { FieldErrors } from '@/lib/form-errors';
import {
  CAPTION_AFFIX_MAX_LENGTH,
  advancedChanged,
  formatLearningRate,
  toggleResolution,
  trainFieldLabels,
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

/** The parameters typed into a text box (kept as typed: see TrainFormValues). */
type TextParameter = 'steps' | 'loraRank' | 'learningRate' | 'batchSize' | 'autocaptionPrefix' | 'autocaptionSuffix';

/** The trainer's parameters: steps and captions up front, the rest folded away. */
export function TrainingSettings({ values, errors, defaults, onChange, onReset, advancedOpen, onAdvancedToggle, fieldId }: TrainingSettingsProps) {
  const changed = advancedChanged(values, defaults);

  /** What a text box takes from the form: its id, label, value, change and error. */
  function textInput(field: TextParameter) {
    return {
      id: fieldId(field),
      label: trainFieldLabels[field],
      value: values[field],
      onChange: (event: ChangeEvent<HTMLInputElement>) => onChange(field, event.target.value),
      error: errors[field],
    };
  }

  /** A required whole number within the range the API accepts, which the hint starts with. */
  function wholeNumberInput(field: 'steps' | 'loraRank' | 'batchSize', hint: string) {
    const limits = TRAINING_RANGES[field];
    return {
      ...textInput(field),
      type: 'number',
      inputMode: 'numeric' as const,
      min: limits.min,
      max: limits.max,
      required: true,
      hint: `${range(limits)}. ${hint}`,
    };
  }

  return (
    <Card aria-labelledby="training-settings-title">
      <CardHeader
        id="training-settings-title"
        title="Training"
        description="The defaults suit most photo sets. Change them only if you know what they do."
      />
      <InputField
        {...wholeNumberInput('steps', `More steps learn more detail and take longer; ${number.format(defaults.steps)} suits most sets.`)}
        step={50}
      />

      <CheckboxCard
        id={fieldId('autocaption')}
        label="Caption photos automatically"
        description="Describes each photo before training, so the model learns you rather than the background."
        checked={values.autocaption}
        onChange={(e) => onChange('autocaption', e.target.checked)}
      />

      <details className="advanced" open={advancedOpen} onToggle={(e) => onAdvancedToggle(e.currentTarget.open)}>
        <summary className="advanced__summary">
          <span>Advanced settings</span>
          {changed ? <span className="advanced__changed">changed</span> : null}
          <Icon name="arrowRight" size={16} className="advanced__chevron" />
        </summary>
        <div className="advanced__body">
          <div className="form-row">
            <InputField {...wholeNumberInput('loraRank', 'Higher captures more detail, with larger weights.')} />
            <InputField
              {...textInput('learningRate')}
              inputMode="decimal"
              autoComplete="off"
              spellCheck={false}
              required
              hint={`${formatLearningRate(TRAINING_RANGES.learningRate.min)}–${formatLearningRate(TRAINING_RANGES.learningRate.max)}. How big each learning step is.`}
            />
            <InputField {...wholeNumberInput('batchSize', 'Photos per step.')} />
            <SelectField
              id={fieldId('optimizer')}
              label={trainFieldLabels.optimizer}
              options={OPTIMIZER_OPTIONS}
              value={values.optimizer}
              onChange={(e) => {
                if (isOptimizer(e.target.value)) onChange('optimizer', e.target.value);
              }}
              error={errors.optimizer}
              hint={`The trainer's default is ${defaults.optimizer}.`}
            />
          </div>

          <CheckboxGroup
            legend={trainFieldLabels.resolution}
            hint="Sizes, in pixels, the photos are trained at. More sizes generalise better."
            error={errors.resolution}
          >
            <div className="resolutions">
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
          </CheckboxGroup>

          <div className="form-row">
            <InputField
              {...textInput('autocaptionPrefix')}
              maxLength={CAPTION_AFFIX_MAX_LENGTH + 50}
              disabled={!values.autocaption}
              hint="Put before each automatic caption, e.g. “a photo of”."
            />
            <InputField
              {...textInput('autocaptionSuffix')}
              maxLength={CAPTION_AFFIX_MAX_LENGTH + 50}
              disabled={!values.autocaption}
              hint="Put after each automatic caption, e.g. “in natural light”."
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
