import { Alert, Button, Card, CardHeader, Icon, ProgressBar, RequestId } from '@/components/ui';
import { ApiError } from '@/lib/api-client';
import { useExportData } from '../api/export-data';
import { formatDownloaded } from '../utils/export-file';
import './account.css';

/** The error in words a person can act on; the API's own message where it has one. */
function describeExportError(error: Error): { title: string; message: string; requestId: string | null } {
  if (!(error instanceof ApiError)) return { title: 'The export failed', message: 'Something went wrong while saving the file. Try again.', requestId: null };
  if (error.code === 'export_in_progress') {
    const seconds = error.retryAfterSeconds ?? 60;
    const wait = seconds <= 90 ? 'in about a minute' : `in about ${Math.round(seconds / 60)} minutes`;
    return {
      title: 'An export is already downloading',
      message: `Another export of your data is still downloading, perhaps in another tab or from a script. Let it finish, then try again ${wait}.`,
      requestId: null,
    };
  }
  if (error.statusCode === 429) {
    return { title: 'Too many requests', message: `${error.message} Nothing was downloaded.`, requestId: null };
  }
  if (error.statusCode === 503) return { title: 'The export is not available right now', message: error.message, requestId: error.requestId };
  return { title: 'The export failed', message: error.message, requestId: error.requestId };
}

/** "Export your data": the zip of everything, downloaded with the session's token, with its progress. */
export function ExportDataCard() {
  const exporting = useExportData();
  const error = exporting.error ? describeExportError(exporting.error) : null;

  return (
    <Card aria-labelledby="export-data-title" data-testid="export-data">
      <CardHeader
        id="export-data-title"
        title="Export your data"
        description="Everything Visiona keeps about you, in one zip: your generated images, the photos still stored, and a data.json with your models, prompts, payments and account activity."
      />

      {exporting.isPending ? (
        <div className="export-progress">
          <ProgressBar value={null} label="Downloading your data export" valueText={`${formatDownloaded(exporting.received)} downloaded`} />
          <p className="export-progress__text" data-testid="export-progress">
            {exporting.received > 0 ? `${formatDownloaded(exporting.received)} downloaded` : 'Preparing your export…'}
          </p>
        </div>
      ) : null}

      {exporting.isSuccess ? (
        <Alert tone="success" title="Export saved">
          <p>
            <span className="break-anywhere">{exporting.data.filename}</span> ({formatDownloaded(exporting.data.bytes)}) is in your downloads.
          </p>
        </Alert>
      ) : null}

      {error ? (
        <Alert tone={exporting.error instanceof ApiError && exporting.error.statusCode === 429 ? 'warning' : 'danger'} role="alert" title={error.title}>
          <p>{error.message}</p>
          <RequestId id={error.requestId} />
        </Alert>
      ) : null}

      <div className="export-actions">
        {exporting.isPending ? (
          <Button variant="secondary" onClick={exporting.cancel} icon={<Icon name="stop" size={16} />}>
            Cancel export
          </Button>
        ) : (
          <Button variant="secondary" onClick={() => exporting.mutate()} icon={<Icon name="download" size={16} />}>
            {exporting.isError ? 'Try again' : exporting.isSuccess ? 'Export again' : 'Export your data'}
          </Button>
        )}
      </div>
      <p className="sr-only" role="status" aria-live="polite">
        {exporting.isPending
          ? 'Preparing your data export.'
          : exporting.isSuccess
            ? `Export saved: ${exporting.data.filename}, ${formatDownloaded(exporting.data.bytes)}.`
            : ''}
      </p>
    </Card>
  );
}
