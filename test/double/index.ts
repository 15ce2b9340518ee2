/**
 * Ollama TEST DOUBLE — public entry point. A scripted stand-in for a local Ollama
 * server (not a real model). See test/double/README.md.
 */
export type {
  DoubleCounters,
  DoubleOptions,
  Fault,
  LoggedRequest,
  OllamaDouble,
  ScriptEntry,
  ScriptedModel,
  TokenDist,
} from './types';
export { startOllamaDouble } from './server';
export { groundTruth } from './truth';
export { scriptFromAnswers, randomScriptedModel, type RandomModelOptions, type ScriptFromAnswersOptions } from './script';
export { tokenize, tokenId, tokenIds, detokenize } from './tokenizer';
export { servedName } from './model';
export { rngFromSeed, rngFromString, type Rng } from './rng';
export { buildDemoModels, type DemoOptions, type DemoResult } from './demo';
