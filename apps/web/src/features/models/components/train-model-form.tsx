import { useId, useRef, useState, type FormEvent } from 'react';
import { Link } from 'react-router';
import type { Model, Plan, TrainingConfig } from '@visiona/shared';
import { Alert, Button, Card, CardHeader, Icon, InputField, RequestId } from '@/components/ui';
import { paths } from '@/config/paths';
import { ApiError } from '@/lib/api-client';
import { formatCredits } from '@/lib/format';
import { mapApiErrorToForm, type FieldErrors } from '@/lib/form-errors';
import { newIdempotencyKey } from '@/lib/idempotency-key';
import { isAtModelLimit, isPlanLimitError } from '@/lib/plan-limits';
import { useCreateModel } from '../api/create-model';
import {
  advancedFields,
  initialTrainFormValues,
  parameterValues,
  suggestTriggerWord,
  toCreateModelRequest,
  trainFieldLabels,
  trainFields,
  validateTrainForm,
  type TrainField,
  type TrainFormValues,
} from '../utils/train-form';
import { ModelLimitNotice } from './model-limit';
import { TrainingSettings } from './training-settings';
import { TrainingSummary } from './training-summary';

export interface TrainModelFormProps {
  training: TrainingConfig;
  creditBalance: number | undefined;
  photoCount: number | undefined;
  onCreated: (model: Model) => void;
  /** Models that count against the plan, and the plan; undefined while either loads (the API still checks). */
  modelLimit?: { count: number; plan: Pick<Plan, 'name' | 'limits'>; canUpgrade: boolean };
}

const LIMIT_REASON_ID = 'train-model-limit';

/** A failed start, with where to go to fix it when the API says what is missing. */
function FormError({ error }: { error: ApiError }) {
  const showReference = error.kind !== 'http' || error.statusCode >= 500;
  return (
    <>
      <p id="train-form-error">{error.message}</p>
      {error.statusCode === 402 ? (
        <p>
          <Link to={paths.billing}>Get more credits on the Billing page</Link>
        </p>
      ) : null}
      {isPlanLimitError(error) ? (
        <p className="model-limit__links">
          <Link to={paths.models}>Delete a model on the Models page</Link>
          <Link to={paths.billing}>See plans on the Billing page</Link>
        </p>
      ) : null}
      {error.statusCode === 409 && error.code === 'not_enough_photos' ? (
        <p>
          <Link to={paths.photos}>Add photos on the Photos page</Link>
        </p>
      ) : null}
      {showReference ? <RequestId id={error.requestId} /> : null}
    </>
  );
}

/** Name, trigger word and trainer settings of a new model; checks before sending, the API's answers next to the fields. */
export function TrainModelForm({ training, creditBalance, photoCount, onCreated, modelLimit }: TrainModelFormProps) {
  const create = useCreateModel();
  const [values, setValues] = useState<TrainFormValues>(() => initialTrainFormValues(training.defaults));
  const [errors, setErrors] = useState<FieldErrors<TrainField>>({});
  const [formError, setFormError] = useState<ApiError | null>(null);
  const [advancedOpen, setAdvancedOpen] = useState(false);
  const idempotencyKey = useRef<string | null>(null);
  const alertRef = useRef<HTMLDivElement>(null);
  const baseId = useId();
  const fieldId = (field: keyof TrainFormValues) => `${baseId}-${field}`;
  const example = values.triggerWord.trim() || 'ZXQ_ANNA';
  const atLimit = modelLimit !== undefined && isAtModelLimit(modelLimit.count, modelLimit.plan);

  function setField<K extends keyof TrainFormValues>(field: K, value: TrainFormValues[K]) {
    // Different values are a different request: the next submission gets a key of its own.
    idempotencyKey.current = null;
    const next = { ...values, [field]: value };
    setValues(next);
    const shown = field as TrainField;
    if (errors[shown]) setErrors((old) => ({ ...old, [shown]: validateTrainForm(next)[shown] }));
  }

  function focusFirstInvalid(fieldErrors: FieldErrors<TrainField>): boolean {
    const first = trainFields.find((field) => fieldErrors[field]);
    if (!first) return false;
    if (advancedFields.includes(first)) setAdvancedOpen(true);
    // After the folded section has opened.
    requestAnimationFrame(() => document.getElementById(fieldId(first))?.focus());
    return true;
  }

  function onSubmit(event: FormEvent<HTMLFormElement>) {
    event.preventDefault();
    if (create.isPending || atLimit) return;
    setFormError(null);
    const clientErrors = validateTrainForm(values);
    setErrors(clientErrors);
    if (focusFirstInvalid(clientErrors)) return;

    idempotencyKey.current ??= newIdempotencyKey();
    create.mutate(
      { body: toCreateModelRequest(values), idempotencyKey: idempotencyKey.current },
      {
        onSuccess: onCreated,
        onError: (error) => {
          // A definite answer (not a lost request) ends this submission: the next one is new.
          if (error instanceof ApiError && !error.isTransient) idempotencyKey.current = null;
          const { fieldErrors, formError: rest } = mapApiErrorToForm(error, trainFields, trainFieldLabels);
          setErrors(fieldErrors);
          setFormError(rest);
          if (rest) requestAnimationFrame(() => alertRef.current?.focus());
          else focusFirstInvalid(fieldErrors);
        },
      },
    );
  }

  return (
    <>
      {modelLimit ? <ModelLimitNotice id={LIMIT_REASON_ID} count={modelLimit.count} plan={modelLimit.plan} canUpgrade={modelLimit.canUpgrade} listedHere={false} /> : null}
      <form className="train-layout" onSubmit={onSubmit} noValidate aria-label="Train a model" aria-describedby={formError ? 'train-form-error' : undefined}>
        <div className="train-layout__main">
          <Card aria-labelledby="model-identity-title">
            <CardHeader id="model-identity-title" title="Your model" />
            <InputField
              id={fieldId('name')}
              label="Name"
              autoComplete="off"
              required
              maxLength={150}
              value={values.name}
              onChange={(e) => setField('name', e.target.value)}
              error={errors.name}
              hint="For you, to tell your models apart, such as “Me, summer 2026”."
            />
            <div className="trigger-word">
              <InputField
                id={fieldId('triggerWord')}
                className="trigger-word__field"
                label="Trigger word"
                autoComplete="off"
                autoCapitalize="characters"
                spellCheck={false}
                required
                placeholder="ZXQ_ANNA"
                value={values.triggerWord}
                onChange={(e) => setField('triggerWord', e.target.value)}
                error={errors.triggerWord}
                hint="A made-up word that stands for you: a letter, then 1–29 letters, digits or underscores. Avoid real words and names, so the model does not mix you up with someone else."
              />
              <Button
                variant="secondary"
                className="trigger-word__suggest"
                onClick={() => setField('triggerWord', suggestTriggerWord(values.name))}
                icon={<Icon name="generate" size={16} />}
              >
                Suggest one
              </Button>
            </div>
            <div className="trigger-example">
              <p className="trigger-example__label">After training, put it in a prompt:</p>
              <p className="trigger-example__prompt">
                “a photo of <mark>{example}</mark> hiking at sunrise in the Alps”
              </p>
            </div>
          </Card>

          <TrainingSettings
            values={values}
            errors={errors}
            defaults={training.defaults}
            onChange={setField}
            onReset={() => {
              idempotencyKey.current = null;
              setValues((prev) => ({ ...prev, ...parameterValues(training.defaults) }));
              setErrors((prev) => ({ name: prev.name, triggerWord: prev.triggerWord }));
            }}
            advancedOpen={advancedOpen}
            onAdvancedToggle={setAdvancedOpen}
            fieldId={fieldId}
          />
        </div>

        <div className="train-layout__aside">
          <TrainingSummary
            cost={training.costCredits}
            balance={creditBalance}
            photoCount={photoCount}
            minPhotos={training.minPhotos}
            modelUsage={modelLimit ? { count: modelLimit.count, plan: modelLimit.plan } : undefined}
          >
            {formError ? (
              <Alert tone="danger" role="alert" ref={alertRef} focusable className="form-alert">
                <FormError error={formError} />
              </Alert>
            ) : null}
            <Button
              type="submit"
              size="lg"
              block
              isLoading={create.isPending}
              disabled={atLimit}
              aria-describedby={atLimit ? LIMIT_REASON_ID : undefined}
              loadingText="Starting training…"
              icon={<Icon name="models" size={18} />}
            >
              Start training · {formatCredits(training.costCredits)}
            </Button>
            {atLimit ? <p className="train-limit-note">Delete a model or upgrade to start another training.</p> : null}
          </TrainingSummary>
        </div>
      </form>
    </>
  );
}
