import { Alert, Badge, Button, CheckboxCard, Icon, RequestId, Spinner, TextareaField } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import type { GenerateForm } from '../hooks/use-generate-form';
import { isPreviewCurrent } from '../utils/generate-form';

/** "Enhance with AI": the switch, and the enhanced prompt to check (and edit) before anything is sent. */
export function EnhanceSection({ form, maxLength }: { form: GenerateForm; maxLength: number }) {
  const { values, preview, enhance, fieldId, errors } = form;
  if (!form.enhancementEnabled) return null;
  const current = isPreviewCurrent(preview, values.prompt, values.modelId);
  const enhanceError = enhance.error instanceof ApiError ? enhance.error : enhance.error ? new ApiError({ kind: 'network', statusCode: 0, error: 'Error', message: enhance.error.message }) : null;

  return (
    <div className="enhance">
      <CheckboxCard
        id={fieldId('enhance')}
        className="enhance__toggle"
        label={
          <>
            <Icon name="generate" size={16} className="enhance__icon" />
            Enhance with AI
          </>
        }
        description="An AI adds lighting, lens and setting details to your prompt, keeping what you asked for. You see the result before anything is generated."
        checked={values.enhance}
        onChange={(event) => form.setEnhance(event.target.checked)}
      />

      {values.enhance && enhance.isPending ? (
        <div className="enhance__panel enhance__panel--loading" role="status">
          <Spinner size="sm" label={null} />
          <span>Writing a richer prompt…</span>
        </div>
      ) : null}

      {values.enhance && !enhance.isPending && enhanceError ? (
        <Alert tone="warning" title="The prompt could not be enhanced" role="alert">
          <p>{enhanceError.message}</p>
          {enhanceError.kind !== 'http' || enhanceError.statusCode >= 500 ? <RequestId id={enhanceError.requestId} /> : null}
          <div className="button-row button-row--start">
            <Button size="sm" variant="secondary" onClick={form.requestPreview} icon={<Icon name="refresh" size={14} />}>
              Try again
            </Button>
            <Button size="sm" variant="ghost" onClick={form.generateOriginal}>
              Generate with my prompt
            </Button>
          </div>
        </Alert>
      ) : null}

      {values.enhance && preview && !enhance.isPending ? (
        preview.result.enhancement === 'enhanced' ? (
          <div className="enhance__panel" data-testid="enhance-preview">
            <TextareaField
              id={fieldId('enhancedPrompt')}
              label="Enhanced prompt"
              labelAside={
                <Badge tone="accent" className="enhance__badge">
                  <Icon name="generate" size={12} />
                  AI{preview.result.model ? ` · ${preview.result.model}` : ''}
                </Badge>
              }
              rows={5}
              value={preview.edited}
              maxLength={maxLength * 2}
              onChange={(event) => form.editPreview(event.target.value)}
              error={errors.enhancedPrompt}
              hint={current ? 'This is what the model receives. Edit it as you like, or keep your own prompt.' : undefined}
            />
            {!current ? (
              <Alert tone="info" role="status">
                <p>You changed your prompt (or the model) after this preview. Update it to enhance the new version.</p>
              </Alert>
            ) : null}
            <div className="enhance__actions">
              <Button size="sm" variant="secondary" onClick={form.requestPreview} icon={<Icon name="refresh" size={14} />}>
                {current ? 'Try another' : 'Update preview'}
              </Button>
              <Button size="sm" variant="ghost" onClick={form.discardPreview} icon={<Icon name="close" size={14} />}>
                Use my prompt instead
              </Button>
            </div>
          </div>
        ) : (
          <Alert tone="warning" title="AI enhancement is not available right now" role="status">
            <p>
              The prompt assistant is not answering at the moment. Nothing was charged. You can generate with your prompt
              as you wrote it, or try again in a moment.
            </p>
            <div className="button-row button-row--start">
              <Button size="sm" variant="secondary" onClick={form.requestPreview} icon={<Icon name="refresh" size={14} />}>
                Try again
              </Button>
              <Button size="sm" variant="ghost" onClick={form.discardPreview}>
                Turn enhancement off
              </Button>
            </div>
          </Alert>
        )
      ) : null}
    </div>
  );
}
