import { lazy } from 'react';

/*
 * Clerk's components, fetched only when used: the `import()` below is the one path to
 * @clerk/react, and it runs only when the server signs people in through Clerk.
 */
const load = () => import('./clerk');

export const LazyClerkRoot = lazy(async () => ({ default: (await load()).ClerkRoot }));
export const LazyClerkSignIn = lazy(async () => ({ default: (await load()).ClerkSignIn }));
export const LazyClerkSignUp = lazy(async () => ({ default: (await load()).ClerkSignUp }));
