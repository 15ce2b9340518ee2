// A fake `vscode` module for timing our own code outside VS Code: a generic recursive Proxy whose
// every property is another callable, constructible proxy (so commands, views, emitters, status
// bar items and disposables can be created and disposed), plus the few values activation reads:
// configuration (every setting unset, i.e. the defaults), no workspace folder, a trusted workspace.
'use strict';

function fake(name, overrides = {}) {
  const store = new Map(Object.entries(overrides));
  const target = function () {};
  return new Proxy(target, {
    get(_, prop) {
      if (prop === 'then') return undefined; // not a thenable
      if (prop === Symbol.toPrimitive) return () => '';
      if (prop === Symbol.iterator) return function* () {};
      if (prop === 'toString' || prop === 'toJSON') return () => `[fake ${name}]`;
      if (typeof prop === 'symbol') return undefined;
      if (store.has(prop)) return store.get(prop);
      const child = fake(`${name}.${prop}`);
      store.set(prop, child);
      return child;
    },
    set(_, prop, value) {
      store.set(prop, value);
      return true;
    },
    has(_, prop) {
      return store.has(prop);
    },
    apply() {
      return fake(`${name}()`);
    },
    construct() {
      return fake(`new ${name}`);
    },
  });
}

const configuration = { get: () => undefined, inspect: () => undefined, has: () => false, update: async () => undefined };

/** The top-level names of the `vscode` API (namespaces, classes, enums, …), from @types/vscode. */
function apiNames() {
  const { readFileSync } = require('node:fs');
  const text = readFileSync(require.resolve('@types/vscode/index.d.ts'), 'utf8');
  return [...new Set([...text.matchAll(/^\texport (?:namespace|class|enum|const|let|function) ([A-Za-z_$][\w$]*)/gm)].map((m) => m[1]))];
}

/**
 * The module object: a plain object (as VS Code's is) with one fake per API name, so that bundlers'
 * CommonJS interop (which copies own properties) sees them all.
 */
function createFakeVscode() {
  const api = {};
  for (const name of apiNames()) api[name] = fake(`vscode.${name}`);
  // Plain classes where a timing depends on them (the history tree builds one TreeItem per run): VS
  // Code's own are plain classes too, cheaper than proxies.
  api.TreeItemCollapsibleState = { None: 0, Collapsed: 1, Expanded: 2 };
  api.TreeItem = class TreeItem {
    constructor(label, collapsibleState = 0) {
      this.label = label;
      this.collapsibleState = collapsibleState;
    }
  };
  api.ThemeColor = class ThemeColor {
    constructor(id) {
      this.id = id;
    }
  };
  api.ThemeIcon = class ThemeIcon {
    constructor(id, color) {
      this.id = id;
      this.color = color;
    }
  };
  api.MarkdownString = class MarkdownString {
    constructor(value = '', supportThemeIcons = false) {
      this.value = value;
      this.supportThemeIcons = supportThemeIcons;
    }
    appendText(text) {
      this.value += text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&').replace(/\n/g, '\n\n');
      return this;
    }
    appendMarkdown(text) {
      this.value += text;
      return this;
    }
  };
  api.EventEmitter = class EventEmitter {
    constructor() {
      this.listeners = new Set();
      this.event = (listener) => {
        this.listeners.add(listener);
        return { dispose: () => this.listeners.delete(listener) };
      };
    }
    fire(value) {
      for (const l of this.listeners) l(value);
    }
    dispose() {
      this.listeners.clear();
    }
  };
  // Registered commands are kept, so a bench can run one (the first command loads the engine).
  const commands = new Map();
  api.commands = fake('vscode.commands', {
    registerCommand: (id, handler) => {
      commands.set(id, handler);
      return { dispose: () => commands.delete(id) };
    },
    executeCommand: async (id, ...args) => (commands.has(id) ? commands.get(id)(...args) : undefined),
  });
  api.workspace = fake('vscode.workspace', {
    getConfiguration: () => configuration,
    workspaceFolders: undefined,
    isTrusted: true,
  });
  return api;
}

/** An ExtensionContext with real arrays and mementos; anything else is a fake. */
function createFakeContext(extensionPath, storagePath) {
  const memento = () => {
    const values = new Map();
    return { get: (k, d) => (values.has(k) ? values.get(k) : d), update: async (k, v) => void values.set(k, v), keys: () => [...values.keys()], setKeysForSync: () => undefined };
  };
  const uri = (p) => fake(`Uri(${p})`, { fsPath: p, path: p, scheme: 'file', toString: () => `file://${p}` });
  return fake('context', {
    subscriptions: [],
    extensionPath,
    extensionUri: uri(extensionPath),
    globalStorageUri: uri(storagePath),
    storageUri: undefined,
    logUri: uri(storagePath),
    globalState: memento(),
    workspaceState: memento(),
    asAbsolutePath: (p) => require('node:path').join(extensionPath, p),
  });
}

module.exports = { createFakeVscode, createFakeContext };
