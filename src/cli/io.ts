/** What a CLI command talks to (a fake in tests), and its exit codes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
  /** Rewrites one status line on stderr; set only when stderr is a terminal (long sweeps show progress). */
  progress?: (line: string) => void;
}

export const EXIT = { ok: 0, threshold: 1, usage: 2, server: 3 } as const;
