/**
 * A minimal stand-in for the `vscode` module, enough for `activate()` to run outside VS Code so its
 * cost can be timed. Anything not listed returns an inert disposable; configuration returns defaults.
 */
import Module from 'node:module';

const disposable = { dispose(): void {} };
const inert: (...args: unknown[]) => unknown = () => inertProxy;
const inertProxy: unknown = new Proxy(inert, {
  get: (_target, prop) => (prop === 'dispose' ? () => {} : prop === Symbol.iterator ? [][Symbol.iterator] : inertProxy),
  apply: () => inertProxy,
  construct: () => inertProxy as object,
  set: () => true,
});

class EventEmitter<T> {
  private listeners: ((value: T) => void)[] = [];
  event = (listener: (value: T) => void) => {
    this.listeners.push(listener);
    return disposable;
  };
  fire(value: T): void {
    for (const listener of this.listeners) listener(value);
  }
  dispose(): void {
    this.listeners = [];
  }
}

export class Uri {
  private constructor(readonly scheme: string, readonly fsPath: string) {}
  get path(): string { return this.fsPath; }
  static file(path: string): Uri { return new Uri('file', path); }
  static joinPath(base: Uri, ...parts: string[]): Uri { return new Uri(base.scheme, [base.fsPath, ...parts].join('/')); }
  static from(parts: { scheme: string; path: string }): Uri { return new Uri(parts.scheme, parts.path); }
  toString(): string { return `${this.scheme}://${this.fsPath}`; }
}

export function vscodeStub(workspaceFolder: string): Record<string, unknown> {
  const event = () => disposable;
  return {
    EventEmitter,
    Uri,
    Disposable: class { static from(): typeof disposable { return disposable; } constructor(readonly dispose: () => void) {} },
    RelativePattern: class { constructor(readonly base: unknown, readonly pattern: string) {} },
    ThemeIcon: class { constructor(readonly id: string, readonly color?: unknown) {} },
    ThemeColor: class { constructor(readonly id: string) {} },
    TreeItem: class { constructor(readonly label: string, readonly collapsibleState?: number) {} },
    TreeItemCollapsibleState: { None: 0, Collapsed: 1, Expanded: 2 },
    MarkdownString: class { value = ''; appendMarkdown(text: string) { this.value += text; return this; } },
    ViewColumn: { One: 1, Two: 2, Active: -1, Beside: -2 },
    StatusBarAlignment: { Left: 1, Right: 2 },
    ConfigurationTarget: { Global: 1, Workspace: 2, WorkspaceFolder: 3 },
    window: new Proxy({ createTreeView: () => ({ ...disposable, selection: [], onDidChangeSelection: event }) }, {
      get: (target, prop) => (prop in target ? (target as Record<string | symbol, unknown>)[prop] : inertProxy),
    }),
    commands: { registerCommand: () => disposable, executeCommand: async () => undefined },
    workspace: new Proxy({
      workspaceFolders: [{ uri: Uri.file(workspaceFolder), name: 'ws', index: 0 }],
      getConfiguration: () => ({ get: <T>(_key: string, fallback: T) => fallback, update: async () => undefined }),
      createFileSystemWatcher: () => ({ ...disposable, onDidCreate: event, onDidChange: event, onDidDelete: event }),
      registerTextDocumentContentProvider: () => disposable,
      onDidChangeWorkspaceFolders: event,
      onDidChangeConfiguration: event,
    }, { get: (target, prop) => (prop in target ? (target as Record<string | symbol, unknown>)[prop] : inertProxy) }),
    ...Object.fromEntries(['languages', 'tasks', 'debug', 'scm', 'authentication', 'notebooks', 'tests', 'chat', 'lm',
      'ProgressLocation', 'QuickPickItemKind', 'DiagnosticSeverity', 'Diagnostic', 'Range', 'Position', 'Selection',
      'TabInputWebview', 'TabInputCustom', 'TabInputText', 'FileType', 'ColorThemeKind'].map((name) => [name, inertProxy])),
    env: inertProxy,
    extensions: inertProxy,
    l10n: { t: (message: string) => message },
  };
}

/** Makes `require('vscode')` resolve to the stub for the rest of this process. */
export function installVscodeStub(workspaceFolder: string): void {
  const known = vscodeStub(workspaceFolder);
  // Namespaces and classes not modelled above (languages, tabs, enums…) are inert.
  const stub = new Proxy(known, { get: (target, prop) => (prop in target ? target[prop as string] : inertProxy) });
  const loader = Module as unknown as { _load: (request: string, ...rest: unknown[]) => unknown };
  const original = loader._load;
  loader._load = function (request: string, ...rest: unknown[]) {
    return request === 'vscode' ? stub : original.call(this, request, ...rest);
  };
}
