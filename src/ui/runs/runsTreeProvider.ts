import * as vscode from 'vscode';
import type { RunIndex } from '../../core/runs/runIndex';
import { CheckpointNode, RunNode, TagNode, TagsNode, type RunsTreeNode } from './runNodes';

/**
 * The Runs view: run → checkpoints + scalar tags. Nodes are kept per run so a change to one run
 * fires `onDidChangeTreeData` with that run's node only.
 */
export class RunsTreeProvider implements vscode.TreeDataProvider<RunsTreeNode>, vscode.Disposable {
  private readonly changed = new vscode.EventEmitter<RunsTreeNode | undefined>();
  readonly onDidChangeTreeData = this.changed.event;
  private readonly runNodes = new Map<string, RunNode>();

  constructor(private readonly index: RunIndex) {}

  getTreeItem(node: RunsTreeNode): vscode.TreeItem {
    return node.treeItem();
  }

  getChildren(node?: RunsTreeNode): RunsTreeNode[] {
    if (!node) {
      const runs = this.index.summaries();
      const live = new Set(runs.map((run) => run.path));
      for (const path of [...this.runNodes.keys()]) if (!live.has(path)) this.runNodes.delete(path);
      return runs.map((summary) => {
        const existing = this.runNodes.get(summary.path);
        if (existing) {
          existing.summary = summary;
          return existing;
        }
        const created = new RunNode(summary);
        this.runNodes.set(summary.path, created);
        return created;
      });
    }
    if (node instanceof RunNode) {
      const run = this.index.get(node.summary.path) ?? node.summary;
      return [...run.checkpoints.map((checkpoint) => new CheckpointNode(run, checkpoint)), new TagsNode(run)];
    }
    if (node instanceof TagsNode) return node.run.tags.map((tag) => new TagNode(node.run, tag));
    return [];
  }

  getParent(node: RunsTreeNode): RunsTreeNode | undefined {
    if (node instanceof RunNode) return undefined;
    if (node instanceof TagNode) return new TagsNode(node.run);
    return this.runNodes.get(node.run.path);
  }

  /** Runs were added or removed: the root changes. */
  refreshAll(): void {
    this.changed.fire(undefined);
  }

  /** One run changed: refresh only its node (and its children). */
  refreshRun(runPath: string): void {
    const node = this.runNodes.get(runPath);
    const summary = this.index.get(runPath);
    if (!node || !summary) {
      this.changed.fire(undefined);
      return;
    }
    node.summary = summary;
    this.changed.fire(node);
  }

  nodeFor(runPath: string): RunNode | undefined {
    return this.runNodes.get(runPath);
  }

  dispose(): void {
    this.changed.dispose();
  }
}
