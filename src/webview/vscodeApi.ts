/** The webview side of the VS Code API, with outgoing messages validated against the protocol. */
import { FromWebviewSchema, type FromWebview, type ViewState } from '../shared/protocol';

interface VsCodeApi {
  postMessage(message: unknown): void;
  getState(): unknown;
  setState(state: unknown): void;
}

declare function acquireVsCodeApi(): VsCodeApi;

let api: VsCodeApi | undefined;

function vscode(): VsCodeApi {
  if (!api) {
    api =
      typeof acquireVsCodeApi === 'function'
        ? acquireVsCodeApi()
        : // Outside VS Code (a bare browser): a no-op stand-in so the page still renders.
          { postMessage: () => undefined, getState: () => undefined, setState: () => undefined };
  }
  return api;
}

/** Posts a message to the extension; a message that does not satisfy the protocol is dropped (false). */
export function post(message: FromWebview): boolean {
  const result = FromWebviewSchema.safeParse(message);
  if (!result.success) {
    console.warn('[superposition] dropped an invalid outgoing message', result.error.issues[0]?.message);
    return false;
  }
  vscode().postMessage(result.data);
  return true;
}

export function setViewState(state: ViewState): void {
  vscode().setState(state);
}

export function getViewState(): unknown {
  return vscode().getState();
}
