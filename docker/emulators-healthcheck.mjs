// Health check of the emulators image (docker/emulators.Dockerfile), run inside the
// container by Docker:
//
//   node docker/emulators-healthcheck.mjs storage     Storage emulator: lists buckets
//   node docker/emulators-healthcheck.mjs replicate   Replicate emulator: GET /_emulator/health
//   node docker/emulators-healthcheck.mjs llm         LLM emulator: GET /_emulator/health
//   node docker/emulators-healthcheck.mjs stripe      Stripe emulator: lists prices with its key
//   node docker/emulators-healthcheck.mjs             either one (the image's own HEALTHCHECK,
//                                                      which does not know which one it runs)
//
// Exits 0 when the emulator answers as expected, 1 otherwise. It reads the same
// variables, with the same defaults, as the emulators' cli.ts files. Plain JavaScript
// and Node's own fetch, so the image needs no curl.

const env = process.env;
const signal = AbortSignal.timeout(4000);

async function storage() {
  const port = env.STORAGE_EMULATOR_PORT || '54329';
  // The same key the emulator accepts (apps/emulators/src/storage/cli.ts). Listing the
  // buckets goes through its auth and reads its data folder, so a full or unreadable
  // volume shows up here too.
  const key = env.STORAGE_EMULATOR_SERVICE_KEY ?? env.SUPABASE_SERVICE_ROLE_KEY ?? 'dev-service-key';
  const res = await fetch(`http://127.0.0.1:${port}/storage/v1/bucket`, {
    headers: { authorization: `Bearer ${key}`, apikey: key },
    signal,
  });
  return res.ok;
}

async function replicate() {
  const port = env.REPLICATE_EMULATOR_PORT || '8788';
  const res = await fetch(`http://127.0.0.1:${port}/_emulator/health`, { signal });
  return res.ok;
}

async function llm() {
  const port = env.LLM_EMULATOR_PORT || '8789';
  const res = await fetch(`http://127.0.0.1:${port}/_emulator/health`, { signal });
  return res.ok;
}

async function stripe() {
  const port = env.STRIPE_EMULATOR_PORT || '8790';
  const key = env.STRIPE_SECRET_KEY ?? 'sk_test_visiona_local_emulator';
  const res = await fetch(`http://127.0.0.1:${port}/v1/prices?limit=1`, { headers: { authorization: `Bearer ${key}` }, signal });
  return res.ok;
}

const checks = { storage, replicate, llm, stripe };
const which = process.argv[2];
if (which !== undefined && !(which in checks)) {
  console.error(`usage: node docker/emulators-healthcheck.mjs [${Object.keys(checks).join('|')}]`);
  process.exit(2);
}

const results = await Promise.all(
  (which ? [checks[which]] : Object.values(checks)).map((check) => check().catch(() => false)),
);
process.exit(results.some(Boolean) ? 0 : 1);
