/** Credits a generation costs: each image is paid for, and refunded if the generation fails. */
export function generationCost(numOutputs: number, creditsPerImage: number): number {
  if (!Number.isFinite(numOutputs) || !Number.isFinite(creditsPerImage)) return 0;
  return Math.max(0, Math.trunc(numOutputs)) * Math.max(0, creditsPerImage);
}

export interface CostCheck {
  cost: number;
  /** What is left after paying; null while the balance is not known. */
  after: number | null;
  /** The balance is known and does not cover the cost. */
  short: boolean;
  /** How many credits are missing (0 when it is covered or not known). */
  missing: number;
}

export function checkGenerationCost(numOutputs: number, creditsPerImage: number, balance: number | undefined): CostCheck {
  const cost = generationCost(numOutputs, creditsPerImage);
  if (balance === undefined) return { cost, after: null, short: false, missing: 0 };
  const after = balance - cost;
  return { cost, after, short: after < 0, missing: Math.max(0, -after) };
}
