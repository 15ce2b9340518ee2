// Kept free of imports: the mix parser asks it whether a JSON file is an experiment file.

/** Experiment files, like prompt mixes in JSON, are named `*.superposition.json`. */
export const SUPERPOSITION_JSON = /\.superposition\.json$/i;

const EXPERIMENT_KEY = /"experiment"\s*:/;

/** True when a JSON text is an experiment file (an object with an `experiment` property), not a prompt mix. */
export function isExperimentFileText(text: string): boolean {
  if (!EXPERIMENT_KEY.test(text)) return false;
  try {
    const data: unknown = JSON.parse(text.replace(/^\uFEFF/, ''));
    return data !== null && typeof data === 'object' && !Array.isArray(data) && Object.hasOwn(data, 'experiment');
  } catch {
    return false;
  }
}
