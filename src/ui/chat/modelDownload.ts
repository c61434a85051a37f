import * as vscode from 'vscode';
import { checkModelFolder } from '../../core/chat/modelFolder';
import { findShortlisted, MODEL_SHORTLIST, type ShortlistModel } from '../../core/chat/modelShortlist';
import { chatSettings, setOnnxModel } from './chatSettings';
import { downloadDir } from './targets';

function mb(bytes: number): string {
  return `${(bytes / 1048576).toFixed(bytes < 10 * 1048576 ? 1 : 0)} MB`;
}

async function pickShortlisted(modelsDir: string): Promise<ShortlistModel | undefined> {
  const items = await Promise.all(MODEL_SHORTLIST.map(async (model) => {
    const ready = await checkModelFolder(downloadDir(modelsDir, model.repo), model.dtype).then(() => true, () => false);
    return { label: model.label, description: `${model.repo} · ~${model.approxMb} MB (${model.dtype})${ready ? ' · downloaded' : ''}`, detail: model.notes, model };
  }));
  const choice = await vscode.window.showQuickPick(items, { title: 'Download a chat model (runs on the CPU, in VS Code)', placeHolder: 'Pick a model; files go to the extension\'s global storage' });
  return choice?.model;
}

/**
 * Downloads a shortlisted model's files for its CPU variant into `<modelsDir>/<repo>` with a
 * cancellable progress notification (a cancelled download resumes next time), checks the folder,
 * and makes it the chat model when none is set. True when the model is ready.
 */
export async function downloadChatModel(modelsDir: string, repo: string | undefined, log: (message: string) => void): Promise<boolean> {
  const model = repo ? findShortlisted(repo) : await pickShortlisted(modelsDir);
  if (!model) {
    if (repo) void vscode.window.showErrorMessage(`${repo} is not on the chat model shortlist: download it yourself and use "Use a local folder…"`);
    return false;
  }
  const dest = downloadDir(modelsDir, model.repo);
  const [{ downloadModel }, { modelFileFilter }] = await Promise.all([import('../../core/hub/download'), import('../../core/hub/modelFiles')]);
  try {
    await vscode.window.withProgress({ location: vscode.ProgressLocation.Notification, title: `Downloading ${model.label}`, cancellable: true }, async (progress, token) => {
      const controller = new AbortController();
      token.onCancellationRequested(() => controller.abort());
      let reported = 0;
      await downloadModel({
        repo: model.repo, destDir: dest, filter: modelFileFilter(model.suffix), signal: controller.signal,
        onProgress: (p) => {
          const percent = p.total > 0 ? (100 * p.bytes) / p.total : 0;
          progress.report({ increment: Math.max(0, percent - reported), message: `${mb(p.bytes)} of ${mb(p.total)} · file ${Math.min(p.filesDone + 1, p.filesTotal)}/${p.filesTotal}` });
          reported = Math.max(reported, percent);
        },
      });
    });
  } catch (error) {
    if ((error as Error).name === 'AbortError') {
      void vscode.window.showInformationMessage(`Download of ${model.label} cancelled; it continues where it stopped next time.`);
      return false;
    }
    log(`chat: download of ${model.repo} failed: ${(error as Error).message}`);
    void vscode.window.showErrorMessage(`Could not download ${model.repo}: ${(error as Error).message}`);
    return false;
  }
  try {
    await checkModelFolder(dest, model.dtype);
  } catch (error) {
    void vscode.window.showErrorMessage(`${model.repo} downloaded but cannot be used: ${(error as Error).message}`);
    return false;
  }
  // A folder the user set stays the default; the download is offered next to it in the panel's picker.
  const current = chatSettings().onnxModel.trim();
  if (!current || findShortlisted(current)) await setOnnxModel(model.repo);
  void vscode.window.showInformationMessage(`${model.label} is ready for Ask LLaVA (${dest}).`);
  return true;
}

/** "Use a local folder…": any transformers.js model folder; checked before it becomes the setting. */
export async function useLocalModelFolder(): Promise<boolean> {
  const picked = await vscode.window.showOpenDialog({ canSelectFolders: true, canSelectFiles: false, canSelectMany: false, openLabel: 'Use this model', title: 'A transformers.js model folder (config.json, tokenizer, onnx/)' });
  const dir = picked?.[0]?.fsPath;
  if (!dir) return false;
  try {
    await checkModelFolder(dir);
  } catch (error) {
    void vscode.window.showErrorMessage((error as Error).message);
    return false;
  }
  await setOnnxModel(dir);
  return true;
}
