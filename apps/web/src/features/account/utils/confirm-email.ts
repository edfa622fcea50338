/**
 * Whether what the person typed is their account's email address. Case and surrounding spaces
 * do not matter (the API compares the same way); anything else must match exactly.
 */
export function confirmsEmail(typed: string, email: string | null | undefined): boolean {
  if (!email) return false;
  const given = typed.trim();
  return given !== '' && given.toLowerCase() === email.trim().toLowerCase();
}
