/**
 * Standalone OpenAI-compatible LLM emulator.
 *
 *   LLM_API_KEY=sk-dev node apps/emulators/src/llm/cli.ts
 *
 * Env: LLM_API_KEY (required), LLM_EMULATOR_HOST (127.0.0.1), LLM_EMULATOR_PORT (8789),
 * LLM_EMULATOR_LATENCY_MS (0), LLM_EMULATOR_MODELS (comma-separated ids; default gpt-4o,
 * gpt-4o-mini, gpt-4.1, gpt-4.1-mini), LOG_LEVEL (info). Point the SDK at `http://host:port/v1`.
 */
import { createLlmEmulator } from './server.ts';

const env = process.env;
const apiKey = env['LLM_API_KEY'];
if (!apiKey) {
  console.error('LLM_API_KEY is required');
  process.exit(1);
}
const host = env['LLM_EMULATOR_HOST'] ?? '127.0.0.1';
const port = Number(env['LLM_EMULATOR_PORT'] ?? '8789');
const latencyMs = Number(env['LLM_EMULATOR_LATENCY_MS'] ?? '0');
if (!Number.isInteger(port) || port < 0 || port > 65535) {
  console.error('LLM_EMULATOR_PORT must be a port number');
  process.exit(1);
}
if (!(latencyMs >= 0)) {
  console.error('LLM_EMULATOR_LATENCY_MS must be a number >= 0');
  process.exit(1);
}
const models = env['LLM_EMULATOR_MODELS']?.split(',').map((m) => m.trim()).filter(Boolean);

const emu = await createLlmEmulator({ apiKey, latencyMs, logger: { level: env['LOG_LEVEL'] ?? 'info' }, ...(models?.length ? { models } : {}) });
const address = await emu.app.listen({ host, port });
emu.app.log.info({ baseUrl: `${address}/v1` }, 'llm emulator ready');

for (const sig of ['SIGINT', 'SIGTERM'] as const) {
  process.once(sig, () => {
    void emu.close().then(() => process.exit(0));
  });
}
