import { Button, Icon, TextareaField, cx } from '@/components/ui';
import type { GenerateForm } from '../hooks/use-generate-form';
import { describePromptLength, hasTriggerWord } from '../utils/prompt';

/** The prompt box: live count against the limit, and the trigger word (explained, one click to insert). */
export function PromptField({ form, maxLength }: { form: GenerateForm; maxLength: number }) {
  const { values, model, errors, fieldId } = form;
  const count = describePromptLength(values.prompt, maxLength);
  const countId = `${fieldId('prompt')}-count`;
  const triggerWord = model?.triggerWord ?? null;
  const included = triggerWord ? hasTriggerWord(values.prompt, triggerWord) : true;

  return (
    <div className="prompt-field">
      <TextareaField
        ref={form.promptRef}
        id={fieldId('prompt')}
        label="Prompt"
        rows={4}
        spellCheck
        placeholder={triggerWord ? `a portrait of ${triggerWord} reading in a sunlit café, film photo` : 'a portrait reading in a sunlit café, film photo'}
        value={values.prompt}
        onChange={(event) => form.setPrompt(event.target.value)}
        onKeyDown={(event) => {
          // Ctrl/⌘ + Enter sends, as in chat boxes.
          if (event.key === 'Enter' && (event.metaKey || event.ctrlKey)) {
            event.preventDefault();
            form.submit();
          }
        }}
        error={errors.prompt}
        footerDescribedBy={countId}
        footer={
          <>
            {triggerWord ? (
              <div className={cx('trigger-hint', included && 'trigger-hint--included')} data-testid="trigger-hint">
                {included ? (
                  <>
                    <Icon name="check" size={14} />
                    <span>
                      Includes <code>{triggerWord}</code>, so the picture shows you.
                    </span>
                  </>
                ) : (
                  <>
                    <span>
                      Use <code>{triggerWord}</code> where you appear; if you leave it out, it is added at the start.
                    </span>
                    <Button variant="secondary" size="sm" className="trigger-hint__insert" onClick={form.insertTrigger}>
                      Insert<span className="sr-only"> {triggerWord}</span>
                    </Button>
                  </>
                )}
              </div>
            ) : (
              <span />
            )}
            <span
              id={countId}
              className={cx('char-count', count.nearLimit && 'char-count--near', count.over && 'char-count--over')}
              data-testid="prompt-count"
            >
              <span aria-hidden="true">{count.text}</span>
              <span className="sr-only">
                {count.length} of {count.max} characters
              </span>
            </span>
          </>
        }
      />
      {/* Only near the limit, so typing is not narrated character by character. */}
      <p className="sr-only" role="status" aria-live="polite">
        {count.announcement ?? ''}
      </p>
    </div>
  );
}
