import type { ModelSummary } from './types';

/** Whether `model` is in the server's list: "gemma3" means "gemma3:latest", as Ollama reads it. */
export function findModel<T extends Pick<ModelSummary, 'name'>>(models: readonly T[], model: string): T | undefined {
  const wanted = model.includes(':') ? model : `${model}:latest`;
  return models.find((m) => m.name === model || m.name === wanted);
}
