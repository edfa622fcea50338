/// <reference types="vite/client" />

interface ImportMetaEnv {
  /** Base URL of the Visiona API for cross-origin deployments. Empty: same origin. */
  readonly VITE_API_URL?: string;
}

interface ImportMeta {
  readonly env: ImportMetaEnv;
}
