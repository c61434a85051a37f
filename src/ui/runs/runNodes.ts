import * as vscode from 'vscode';
import type { CheckpointInfo, RunStatus, RunSummary } from '../../core/runs/types';
import { formatLoss, formatSize, STATUS_LABEL, timeAgo } from './format';

const STATUS_ICON: Record<RunStatus, [string, string | undefined]> = {
  live: ['sync~spin', 'charts.blue'],
  finished: ['pass-filled', 'charts.green'],
  stopped: ['debug-stop', 'charts.yellow'],
  crashed: ['error', 'charts.red'],
  queued: ['clock', undefined],
  unknown: ['circle-large-outline', undefined],
};

export class RunNode {
  readonly kind = 'run';
  constructor(public summary: RunSummary) {}

  treeItem(now = Date.now()): vscode.TreeItem {
    const run = this.summary;
    const item = new vscode.TreeItem(run.name, vscode.TreeItemCollapsibleState.Collapsed);
    item.id = run.path;
    const parts = [STATUS_LABEL[run.status]];
    if (run.lastStep !== null) parts.push(`step ${run.lastStep}`);
    if (run.bestEvalLoss !== null) parts.push(`best eval ${formatLoss(run.bestEvalLoss)}`);
    if (run.startedAt !== null) parts.push(`started ${timeAgo(run.startedAt, now)}`);
    item.description = parts.join(' · ');
    const [icon, color] = STATUS_ICON[run.status];
    item.iconPath = new vscode.ThemeIcon(icon, color ? new vscode.ThemeColor(color) : undefined);
    item.contextValue = `run.${run.status}`;
    item.resourceUri = vscode.Uri.file(run.path);
    const tooltip = new vscode.MarkdownString(undefined, true);
    tooltip.appendMarkdown(`**${escapeMarkdown(run.name)}** — ${STATUS_LABEL[run.status]}\n\n`);
    tooltip.appendMarkdown(`- folder: \`${run.path.replaceAll('`', "'")}\`\n- source: ${run.source}\n`);
    if (run.lastStep !== null) tooltip.appendMarkdown(`- last step: ${run.lastStep}\n`);
    if (run.bestEvalLoss !== null) tooltip.appendMarkdown(`- best eval loss: ${formatLoss(run.bestEvalLoss)}\n`);
    if (run.startedAt !== null) tooltip.appendMarkdown(`- started: ${new Date(run.startedAt).toLocaleString()}\n`);
    if (run.updatedAt !== null) tooltip.appendMarkdown(`- last write: ${timeAgo(run.updatedAt, now)}\n`);
    tooltip.appendMarkdown(`- ${run.checkpoints.length} checkpoint(s), ${run.tags.length} scalar tag(s), ${run.eventFiles.length} event file(s)\n`);
    item.tooltip = tooltip;
    item.command = undefined;
    return item;
  }
}

export class CheckpointNode {
  readonly kind = 'checkpoint';
  constructor(public run: RunSummary, public checkpoint: CheckpointInfo) {}

  treeItem(): vscode.TreeItem {
    const { checkpoint } = this;
    const item = new vscode.TreeItem(checkpoint.label ?? `checkpoint-${checkpoint.step}`, vscode.TreeItemCollapsibleState.None);
    item.id = checkpoint.path;
    const parts = [formatSize(checkpoint.sizeBytes), checkpoint.hasAdapter ? 'LoRA adapter' : checkpoint.label ? 'Lightning checkpoint' : 'no adapter'];
    if (checkpoint.isBest) parts.unshift('★ best');
    item.description = parts.join(' · ');
    item.iconPath = new vscode.ThemeIcon(checkpoint.isBest ? 'star-full' : 'save', checkpoint.isBest ? new vscode.ThemeColor('charts.yellow') : undefined);
    item.contextValue = `checkpoint${checkpoint.hasAdapter ? '.adapter' : ''}${checkpoint.isBest ? '.best' : ''}`;
    item.resourceUri = vscode.Uri.file(checkpoint.path);
    item.tooltip = `${checkpoint.path}\nstep ${checkpoint.step}, ${formatSize(checkpoint.sizeBytes)}${checkpoint.hasAdapter ? ', PEFT adapter' : ''}${checkpoint.isBest ? ', best checkpoint' : ''}`;
    return item;
  }
}

export class TagsNode {
  readonly kind = 'tags';
  constructor(public run: RunSummary) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem('Scalars', this.run.tags.length > 0 ? vscode.TreeItemCollapsibleState.Collapsed : vscode.TreeItemCollapsibleState.None);
    item.id = `${this.run.path}#tags`;
    item.description = this.run.tags.length > 0 ? `${this.run.tags.length} tags` : 'no scalar summaries';
    item.iconPath = new vscode.ThemeIcon('graph-line');
    item.contextValue = 'tags';
    item.command = { command: 'llavaStudio.openScalars', title: 'Open Scalars', arguments: [this.run.path] };
    return item;
  }
}

export class TagNode {
  readonly kind = 'tag';
  constructor(public run: RunSummary, public tag: string) {}

  treeItem(): vscode.TreeItem {
    const item = new vscode.TreeItem(this.tag, vscode.TreeItemCollapsibleState.None);
    item.id = `${this.run.path}#tag:${this.tag}`;
    item.iconPath = new vscode.ThemeIcon('symbol-number');
    item.contextValue = 'tag';
    item.command = { command: 'llavaStudio.openScalars', title: 'Open Scalars', arguments: [this.run.path, { tagFilter: `^${escapeRegex(this.tag)}$` }] };
    return item;
  }
}

export type RunsTreeNode = RunNode | CheckpointNode | TagsNode | TagNode;

function escapeMarkdown(text: string): string {
  return text.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function escapeRegex(text: string): string {
  return text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');
}
