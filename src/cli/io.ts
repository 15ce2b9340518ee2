/** What a CLI command talks to (a fake in tests), and its exit codes. */
export interface CliIo {
  stdout: (text: string) => void;
  stderr: (text: string) => void;
  readStdin: () => Promise<string>;
  env: Record<string, string | undefined>;
  cwd: string;
}

export const EXIT = { ok: 0, threshold: 1, usage: 2, server: 3 } as const;
