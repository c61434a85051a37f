import * as vscode from 'vscode';
import { dirname } from 'node:path';
import type { RunIndex } from '../../core/runs/runIndex';
import { formatLoss, formatSize, STATUS_LABEL } from './format';

/** Read-only Markdown document describing a run: status, checkpoints, and its text summaries (args/config). */
export class RunDetailsProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly index: RunIndex) {}

  provideTextDocumentContent(uri: vscode.Uri): string {
    const runPath = dirname(uri.path);
    const run = this.index.get(runPath);
    if (!run) return `# Run not found\n\n${runPath} is no longer a known run folder.\n`;
    const lines = [
      `# ${run.name}`,
      '',
      `| | |`,
      `|---|---|`,
      `| folder | \`${run.path}\` |`,
      `| status | ${STATUS_LABEL[run.status]} |`,
      `| source | ${run.source} |`,
      `| last step | ${run.lastStep ?? '-'} |`,
      `| best eval loss | ${formatLoss(run.bestEvalLoss) || '-'} |`,
      `| started | ${run.startedAt ? new Date(run.startedAt).toISOString() : '-'} |`,
      `| event files | ${run.eventFiles.length} |`,
      '',
      '## Checkpoints',
      '',
      ...(run.checkpoints.length === 0 ? ['none'] : run.checkpoints.map((c) => `- checkpoint-${c.step}: ${formatSize(c.sizeBytes)}${c.hasAdapter ? ', LoRA adapter' : ''}${c.isBest ? ', **best**' : ''}`)),
      '',
    ];
    const scalars = this.index.scalars(runPath);
    for (const { file, damage } of scalars?.damage ?? []) {
      lines.push(`> **Damaged event file** \`${file}\` at byte ${damage.offset}: ${damage.reason}. Records before it are shown.`, '');
    }
    for (const text of scalars?.texts ?? []) {
      lines.push(`## ${text.tag} (step ${text.step})`, '', '```' + (looksLikeJson(text.text) ? 'json' : 'text'), prettyJson(text.text), '```', '');
    }
    return lines.join('\n');
  }
}

function looksLikeJson(text: string): boolean {
  return /^\s*[{[]/.test(text);
}

function prettyJson(text: string): string {
  try {
    return JSON.stringify(JSON.parse(text), null, 2);
  } catch {
    return text.replaceAll('```', "'''");
  }
}
