/** Every route of the SPA, in one place, so links and the route table agree. */
export const paths = {
  home: '/',
  signIn: '/sign-in',
  signUp: '/sign-up',
  photos: '/photos',
  models: '/models',
  trainModel: '/models/new',
  generate: '/generate',
  gallery: '/gallery',
  billing: '/billing',
  settings: '/settings',
} as const;

export type AppPath = (typeof paths)[keyof typeof paths];

/** Query parameter that carries where a person was going before being asked to sign in. */
export const REDIRECT_PARAM = 'redirectTo';

/**
 * Where to go after signing in. Only same-app paths are accepted, so a crafted
 * link cannot send someone to another site.
 */
export function safeRedirectTarget(value: string | null | undefined): string {
  if (!value || !value.startsWith('/') || value.startsWith('//') || value.startsWith('/\\')) return paths.home;
  if (value.startsWith(paths.signIn) || value.startsWith(paths.signUp)) return paths.home;
  return value;
}

/** The sign-in URL that returns to `from` afterwards (nothing added for the home page). */
export function signInPath(from?: string): string {
  if (!from || safeRedirectTarget(from) === paths.home) return paths.signIn;
  return `${paths.signIn}?${new URLSearchParams({ [REDIRECT_PARAM]: from }).toString()}`;
}
