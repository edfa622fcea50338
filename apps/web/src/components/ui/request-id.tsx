/** The id the API gave a failed request, so a person can quote it to support. */
export function RequestId({ id }: { id: string | null | undefined }) {
  if (!id) return null;
  return (
    <p className="request-id">
      Reference: <code>{id}</code>
    </p>
  );
}
