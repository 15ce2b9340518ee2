import { isLocalHost } from './ollama/host';

/** The one-time warning text for a host that is not this machine. */
export function remoteHostMessage(host: string): string {
  return `Superposition: the Ollama host ${host} is not this machine — your prompts are sent to it.`;
}

/**
 * Which hosts still need the "prompts leave this machine" warning: remote ones, once per session,
 * never again once the user acknowledged them (`acknowledged`, e.g. from global state).
 */
export class RemoteHostNotices {
  private readonly shown = new Set<string>();

  constructor(private readonly acknowledged: (host: string) => boolean) {}

  /** The hosts to warn about now (each remote host once); marks them as shown. */
  take(hosts: readonly string[]): string[] {
    const due: string[] = [];
    for (const host of new Set(hosts)) {
      if (isLocalHost(host) || this.shown.has(host) || this.acknowledged(host)) continue;
      this.shown.add(host);
      due.push(host);
    }
    return due;
  }
}
