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
  ProfileName,
  ScriptEntry,
  ScriptedModel,
  TokenDist,
  TokenizerAwareOptions,
  TokenSpec,
  TruthOptions,
  VocabularyTail,
} from './types';
export { startOllamaDouble } from './server';
export { PromptCaches, SlotCache, type CacheLease } from './promptCache';
export { absoluteNow, SlotClock } from './slotClock';
export { groundTruth } from './truth';
export { tokenizerBias, type TokenizerBias } from './bias';
export { bytePiece, scriptFromAnswers, randomScriptedModel, type RandomModelOptions, type ScriptFromAnswersOptions } from './script';
export { tokenize, tokenId, tokenIds, detokenize } from './tokenizer';
export { servedName, DEFAULT_EOS, DEFAULT_FILLER_PROB, DEFAULT_VOCAB_SIZE, FILLER_MARK } from './model';
export { profileForVersion, LLAMA_SERVER_SINCE } from './profile';
export { goQuote } from './utf8';
export { rngFromSeed, rngFromString, type Rng } from './rng';
export { buildDemoModels, type DemoOptions, type DemoResult } from './demo';
