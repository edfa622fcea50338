import type { CSSProperties } from 'react';
import type { Preset } from '@visiona/shared';
import { Button, Card, CardHeader, ErrorState, Icon, Skeleton, SkeletonList, SkeletonText } from '@/components/ui';
import { formatCredits } from '@/lib/format';
import { usePresets } from '../api/get-presets';
import type { GenerateForm } from '../hooks/use-generate-form';
import { generationCost } from '../utils/cost';
import { clampImageCount } from '../utils/options';

/** A hue per kind of style, so the grid reads as families rather than a rainbow. */
const CATEGORY_HUES: Record<string, number> = {
  professional: 225,
  portrait: 265,
  outdoors: 28,
  lifestyle: 345,
  creative: 290,
  art: 40,
};

/** A stable colour per preset, so each card has its own look without any image to download. */
function hueOf(preset: Pick<Preset, 'id' | 'category'>): number {
  let hash = 0;
  for (let i = 0; i < preset.id.length; i++) hash = (hash * 31 + preset.id.charCodeAt(i)) >>> 0;
  const base = CATEGORY_HUES[preset.category.toLowerCase()];
  return base === undefined ? hash % 360 : base + ((hash % 31) - 15);
}

function PresetCard({ preset, form, creditsPerImage }: { preset: Preset; form: GenerateForm; creditsPerImage: number }) {
  const cost = generationCost(clampImageCount(preset.options.numOutputs ?? form.values.options.numOutputs, form.maxImages), creditsPerImage);
  const running = form.runningPresetId === preset.id;
  const hue = hueOf(preset);
  const titleId = `preset-${preset.id}-title`;
  return (
    <li className="preset-card" data-testid="preset-card" data-preset-id={preset.id} style={{ '--preset-hue': hue } as CSSProperties}>
      <div className="preset-card__swatch" aria-hidden="true">
        <span className="preset-card__category">{preset.category}</span>
        {preset.options.aspectRatio ? <span className="preset-card__ratio">{preset.options.aspectRatio}</span> : null}
      </div>
      <div className="preset-card__body">
        <p className="preset-card__eyebrow">{preset.category}</p>
        <h3 className="preset-card__name" id={titleId}>
          {preset.name}
        </h3>
        <p className="preset-card__description">{preset.description}</p>
      </div>
      <Button
        variant="secondary"
        size="sm"
        className="preset-card__button"
        onClick={() => form.generateWithPreset(preset)}
        disabled={form.create.isPending || !form.model}
        isLoading={running}
        loadingText="Starting…"
        icon={<Icon name="generate" size={14} />}
        aria-describedby={titleId}
      >
        Generate · {formatCredits(cost)}
      </Button>
    </li>
  );
}

/** Curated styles: one click fills in the prompt with your trigger word and generates. */
export function PresetGrid({ form, creditsPerImage }: { form: GenerateForm; creditsPerImage: number }) {
  const presets = usePresets();
  let body;
  if (presets.isPending) {
    body = (
      <SkeletonList label="Loading styles" className="preset-grid" rows={6}>
        <li className="preset-card">
          <Skeleton height="4.5rem" radius="10px 10px 0 0" />
          <div className="preset-card__body">
            <SkeletonText lines={2} />
          </div>
        </li>
      </SkeletonList>
    );
  } else if (!presets.data) {
    body = (
      <ErrorState level={3} className="state--compact" title="Styles could not be loaded" error={presets.error} onRetry={() => void presets.refetch()} isRetrying={presets.isFetching} />
    );
  } else {
    body = (
      <ul className="preset-grid" aria-labelledby="presets-title">
        {presets.data.items.map((preset) => (
          <PresetCard key={preset.id} preset={preset} form={form} creditsPerImage={creditsPerImage} />
        ))}
      </ul>
    );
  }
  return (
    <Card aria-labelledby="presets-title">
      <CardHeader
        id="presets-title"
        title="Styles"
        description={
          form.model ? (
            <>
              One click generates with the style's prompt and your trigger word <code>{form.model.triggerWord}</code>, with your
              image count unless the style sets its own.
            </>
          ) : (
            'One click generates with the style’s prompt and your trigger word.'
          )
        }
      />
      {body}
    </Card>
  );
}
