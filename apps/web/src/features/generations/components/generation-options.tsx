import type { ReactNode } from 'react';
import { GENERATION_RANGES, OUTPUT_FORMATS } from '@visiona/shared';
import { Button, CheckboxGroup, Icon, InputField, cx } from '@/components/ui';
import type { GenerateForm } from '../hooks/use-generate-form';
import {
  ASPECT_RATIO_LABELS,
  ASPECT_RATIO_ORDER,
  FORMAT_LABELS,
  SLIDER_STEPS,
  aspectRatioValue,
  describeOptions,
  imageCountChoices,
  optionFieldLabels,
  optionsChanged,
  randomSeed,
  type OptionValues,
} from '../utils/options';

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });

/** A tiny rectangle in the ratio's shape. */
function RatioShape({ ratio }: { ratio: string }) {
  const value = aspectRatioValue(ratio);
  const width = value >= 1 ? 18 : Math.max(6, Math.round(18 * value));
  const height = value >= 1 ? Math.max(6, Math.round(18 / value)) : 18;
  return <span className="ratio-shape" style={{ width, height }} aria-hidden="true" />;
}

type SliderKey = 'guidanceScale' | 'numInferenceSteps' | 'loraScale';

export interface GenerationOptionsPanelProps {
  form: GenerateForm;
  /** What the plan allows, under the image count (e.g. "Up to 2 images on Free — Upgrade"). */
  imagesLimitHint?: ReactNode;
}

/** The options, folded away: count, shape, format, seed, and the model's knobs. */
export function GenerationOptionsPanel({ form, imagesLimitHint }: GenerationOptionsPanelProps) {
  const { values, errors, fieldId } = form;
  const options = values.options;
  const changed = optionsChanged(options);

  function slider(key: SliderKey, hint: string) {
    const range = GENERATION_RANGES[key];
    const id = fieldId(key);
    return (
      <div className={cx('field', 'slider-field', errors[key] && 'field--invalid')}>
        <div className="field__label-row">
          <label className="field__label" htmlFor={id}>
            {optionFieldLabels[key]}
          </label>
          <output className="slider-field__value" htmlFor={id}>
            {options[key]}
          </output>
        </div>
        <input
          id={id}
          type="range"
          className="slider"
          min={range.min}
          max={range.max}
          step={SLIDER_STEPS[key]}
          value={options[key]}
          onChange={(event) => form.setOption(key, event.target.value)}
          aria-describedby={`${id}-hint`}
        />
        <p className="field__hint" id={`${id}-hint`}>
          {number.format(range.min)}–{number.format(range.max)}. {hint}
        </p>
        {errors[key] ? (
          <p className="field__error">
            <Icon name="alert" size={16} />
            <span>{errors[key]}</span>
          </p>
        ) : null}
      </div>
    );
  }

  return (
    <details className="advanced generation-options" open={form.optionsOpen} onToggle={(event) => form.setOptionsOpen(event.currentTarget.open)}>
      <summary className="advanced__summary">
        <Icon name="sliders" size={16} />
        <span>Options</span>
        <span className="generation-options__line" data-testid="options-summary">
          {describeOptions(options)}
        </span>
        {changed ? <span className="advanced__changed">changed</span> : null}
        <Icon name="arrowRight" size={16} className="advanced__chevron" />
      </summary>
      <div className="advanced__body">
        <CheckboxGroup
          legend={optionFieldLabels.numOutputs}
          hint={
            <>
              Each image is paid for; all come from the same prompt.
              {imagesLimitHint ? (
                <>
                  {' '}
                  <span className="images-limit" data-testid="images-limit">
                    {imagesLimitHint}
                  </span>
                </>
              ) : null}
            </>
          }
          error={errors.numOutputs}
        >
          <div className="segmented" role="presentation">
            {imageCountChoices(form.maxImages).map((n) => (
              <label key={n} className={cx('segmented__option', options.numOutputs === n && 'segmented__option--checked')}>
                <input
                  type="radio"
                  name={fieldId('numOutputs')}
                  id={n === 1 ? fieldId('numOutputs') : undefined}
                  value={n}
                  checked={options.numOutputs === n}
                  onChange={() => form.setOption('numOutputs', n)}
                />
                <span>{n}</span>
              </label>
            ))}
          </div>
        </CheckboxGroup>

        <CheckboxGroup legend={optionFieldLabels.aspectRatio} hint="The shape of the picture." error={errors.aspectRatio}>
          <div className="ratio-grid">
            {ASPECT_RATIO_ORDER.map((ratio, index) => (
              <label key={ratio} className={cx('ratio-option', options.aspectRatio === ratio && 'ratio-option--checked')}>
                <input
                  type="radio"
                  name={fieldId('aspectRatio')}
                  id={index === 0 ? fieldId('aspectRatio') : undefined}
                  value={ratio}
                  checked={options.aspectRatio === ratio}
                  onChange={() => form.setOption('aspectRatio', ratio)}
                />
                <RatioShape ratio={ratio} />
                <span className="ratio-option__text">
                  <span className="ratio-option__ratio">{ratio}</span>
                  <span className="ratio-option__label">{ASPECT_RATIO_LABELS[ratio]}</span>
                </span>
              </label>
            ))}
          </div>
        </CheckboxGroup>

        <div className="form-row">
          <CheckboxGroup legend={optionFieldLabels.outputFormat} hint="WebP is small and sharp; PNG is lossless." error={errors.outputFormat}>
            <div className="segmented" role="presentation">
              {OUTPUT_FORMATS.map((format, index) => (
                <label key={format} className={cx('segmented__option', options.outputFormat === format && 'segmented__option--checked')}>
                  <input
                    type="radio"
                    name={fieldId('outputFormat')}
                    id={index === 0 ? fieldId('outputFormat') : undefined}
                    value={format}
                    checked={options.outputFormat === format}
                    onChange={() => form.setOption('outputFormat', format as OptionValues['outputFormat'])}
                  />
                  <span>{FORMAT_LABELS[format]}</span>
                </label>
              ))}
            </div>
          </CheckboxGroup>

          <div className="seed-field">
            <InputField
              id={fieldId('seed')}
              label={optionFieldLabels.seed}
              inputMode="numeric"
              autoComplete="off"
              placeholder="Random"
              value={options.seed}
              onChange={(event) => form.setOption('seed', event.target.value)}
              error={errors.seed}
              hint="Same prompt and seed, same picture. Leave empty for a new one each time."
              trailing={
                options.seed.trim() === '' ? (
                  <button type="button" className="field__toggle" onClick={() => form.setOption('seed', String(randomSeed()))}>
                    Pick
                  </button>
                ) : (
                  <button type="button" className="field__toggle" onClick={() => form.setOption('seed', '')}>
                    Random
                  </button>
                )
              }
            />
          </div>
        </div>

        <div className="form-row form-row--3">
          {slider('guidanceScale', 'Higher follows the prompt more literally.')}
          {slider('numInferenceSteps', 'More steps: more detail, slower.')}
          {slider('loraScale', 'How strongly your likeness is applied.')}
        </div>

        <div>
          <Button variant="ghost" size="sm" onClick={form.resetOptions} disabled={!changed} icon={<Icon name="refresh" size={14} />}>
            Reset to defaults
          </Button>
        </div>
      </div>
    </details>
  );
}
