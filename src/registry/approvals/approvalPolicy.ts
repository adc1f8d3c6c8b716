import { modelStage, type ModelStage } from '../../events/registryEvents.ts';
import { parseStage } from '../registryValidation.ts';

/** The stages a policy gates, validated, without repeats, in modelStage's order (so equal policies compare equal). */
export function validateApprovalStages(field: string, stages: readonly unknown[]): ModelStage[] {
  const parsed = new Set(stages.map((stage, i) => parseStage(`${field}[${i}]`, stage)));
  return modelStage.options.filter((stage) => parsed.has(stage));
}

export const sameStages = (a: readonly ModelStage[], b: readonly ModelStage[]) => a.length === b.length && a.every((stage, i) => stage === b[i]);
