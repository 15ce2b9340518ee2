/** Logprob entries as Ollama sends them (the ollama package's types lack `bytes`). */
export interface TokenLogprob {
  token: string;
  logprob: number;
  bytes?: number[];
}

export interface Logprob extends TokenLogprob {
  top_logprobs?: TokenLogprob[];
}

/** Sampler and generation options we send; anything not set is left to the server. */
export interface GenerationOptions {
  temperature?: number;
  top_k?: number;
  top_p?: number;
  min_p?: number;
  typical_p?: number;
  repeat_penalty?: number;
  presence_penalty?: number;
  frequency_penalty?: number;
  seed?: number;
  num_predict?: number;
  stop?: string[];
}

export interface GenerateSpec {
  model: string;
  prompt: string;
  options: GenerationOptions;
  logprobs?: boolean;
  topLogprobs?: number;
  keepAlive?: string | number;
}

export interface GenerateResult {
  text: string;
  logprobs: Logprob[];
  doneReason?: string;
  promptEvalCount?: number;
  /** Time spent evaluating the prompt: tokens taken from the prompt cache cost nothing here. */
  promptEvalDurationNs?: number;
  evalCount?: number;
  totalDurationNs?: number;
  loadDurationNs?: number;
}

export interface ModelSummary {
  name: string;
  digest: string;
  size: number;
  modifiedAt: string;
  family?: string;
  parameterSize?: string;
  quantization?: string;
}

export interface ModelDetails {
  name: string;
  /** Stop sequences from the Modelfile (often the end-of-sequence pieces, e.g. <|eot_id|>). */
  stops: string[];
  modelfile: string;
  capabilities: string[];
  family?: string;
  parameterSize?: string;
  contextLength?: number;
}

export interface PullProgress {
  status: string;
  total?: number;
  completed?: number;
}
