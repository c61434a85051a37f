/**
 * Which backends/models a chat panel can send to, from the settings (no vscode here: the caller reads
 * them). Each target has an opaque id; the webview only ever names ids from this list, so it can never
 * make the host open a folder or start a process of its choosing.
 */
import { homedir } from 'node:os';
import { basename, delimiter, dirname, isAbsolute, join } from 'node:path';
import { checkModelFolder } from '../../core/chat/modelFolder';
import { findShortlisted, MODEL_SHORTLIST, type ShortlistModel } from '../../core/chat/modelShortlist';
import type { BackendConfig, GenerateOptions } from '../../core/chat/types';
import { displayUrl } from '../../core/chat/urls';
import { checkpointBaseModel, checkpointKind } from './checkpointKind';
import type { Onboarding, TargetInfo } from '../../protocol/chat';
import type { ExtraTarget } from './conversation';

export interface ChatSettings {
  /** `llavaStudio.chat.onnxModel`: an absolute model folder or a shortlist repo id. */
  onnxModel: string;
  openaiBaseUrl: string;
  openaiModel: string;
  /** `llavaStudio.python`. */
  python: string;
  /** `llavaStudio.chat.workerModel`: base model for the worker (folder or Hub id). */
  workerModel: string;
}

export interface TargetEnv {
  settings: ChatSettings;
  /** `<globalStorage>/models`: shortlisted models are downloaded to `<modelsDir>/<repo>`. */
  modelsDir: string;
  extensionPath: string;
  /** Workspace trust: the worker (a Python process) is not started in an untrusted workspace. */
  trusted: boolean;
  /** Only for the `PYTHONPATH` the worker inherits. */
  inheritedPythonPath?: string;
}

export interface ResolvedTarget {
  info: TargetInfo;
  /** null when `info.problem` says why it cannot be used. */
  config: BackendConfig | null;
  /** openai: send the API key stored for the base URL's origin. */
  wantsApiKey?: boolean;
  /** Options every request to this target carries (the base of a LoRA checkpoint: its worker, adapter off). */
  generate?: Pick<GenerateOptions, 'useAdapter'>;
}

export const UNTRUSTED_WORKER = 'Restricted Mode: the Python worker is not started in an untrusted workspace (it would run code). Trust this workspace to use it.';

export function downloadDir(modelsDir: string, repo: string): string {
  return join(modelsDir, ...repo.split('/'));
}

/** A folder's name, with its parent's when the name alone says nothing ("…/tiny-llava/model"). */
export function folderLabel(dir: string): string {
  const name = basename(dir);
  return /^(model|models|onnx|snapshot|main|latest|export|hf)$/i.test(name) ? `${basename(dirname(dir))}/${name}` : name;
}

function expandHome(path: string): string {
  return path === '~' || path.startsWith('~/') ? join(homedir(), path.slice(1)) : path;
}

async function onnxTarget(dir: string, label: string, dtype?: string): Promise<ResolvedTarget> {
  const id = `onnx:${dir}`;
  try {
    const folder = await checkModelFolder(dir, dtype);
    return { info: { id, kind: 'onnx', label, detail: `${dir} (${folder.dtype})`, problem: null }, config: { kind: 'onnx', modelDir: dir, ...(dtype ? { dtype } : {}) } };
  } catch (error) {
    return { info: { id, kind: 'onnx', label, detail: dir, problem: (error as Error).message }, config: null };
  }
}

/** The configured onnx model: a folder, a downloaded shortlist model, or a problem to show. */
async function configuredOnnx(env: TargetEnv): Promise<{ target: ResolvedTarget | null; problem: string | null; shortlisted: ShortlistModel | null }> {
  const value = env.settings.onnxModel.trim();
  if (!value) return { target: null, problem: null, shortlisted: null };
  const listed = findShortlisted(value);
  if (listed) {
    const target = await onnxTarget(downloadDir(env.modelsDir, listed.repo), listed.label, listed.dtype);
    const problem = target.config ? null : `${listed.repo} is not downloaded yet (about ${listed.approxMb} MB)`;
    return { target: target.config ? target : null, problem, shortlisted: listed };
  }
  const dir = expandHome(value);
  if (!isAbsolute(dir)) {
    return { target: null, problem: `llavaStudio.chat.onnxModel must be an absolute folder or one of ${MODEL_SHORTLIST.map((m) => m.repo).join(', ')}; got "${value}"`, shortlisted: null };
  }
  const target = await onnxTarget(dir, folderLabel(dir));
  return { target, problem: target.info.problem, shortlisted: null };
}

function workerConfig(env: TargetEnv, model: string, adapter?: string): BackendConfig {
  const nativeBin = join(env.extensionPath, 'native-bin');
  const pythonPath = env.inheritedPythonPath ? `${nativeBin}${delimiter}${env.inheritedPythonPath}` : nativeBin;
  return { kind: 'worker', python: env.settings.python.trim() || 'python3', model, ...(adapter ? { adapter } : {}), env: { PYTHONPATH: pythonPath } };
}

const KIND_LABEL = { lora: 'LoRA', projector: 'projector' } as const;

async function checkpointTarget(env: TargetEnv, extra: ExtraTarget): Promise<ResolvedTarget> {
  const name = `${extra.runName}/${basename(extra.path)}`;
  const id = `checkpoint:${extra.path}`;
  const kind = await checkpointKind(extra.path, extra.hasAdapter);
  if (kind === 'full') {
    // A full checkpoint with an ONNX export runs in-process; otherwise the worker loads it as the model.
    const onnx = await onnxTarget(extra.path, name);
    if (onnx.config) return { ...onnx, info: { ...onnx.info, id } };
    const problem = env.trusted ? null : UNTRUSTED_WORKER;
    return { info: { id, kind: 'worker', label: name, detail: `worker: ${extra.path}`, problem }, config: problem ? null : workerConfig(env, extra.path) };
  }
  // A LoRA adapter or a projector-only checkpoint: the worker loads the base model and attaches it.
  const base = await checkpointBaseModel(extra.path, env.settings.workerModel);
  const what = KIND_LABEL[kind];
  let problem: string | null = null;
  if (!env.trusted) problem = UNTRUSTED_WORKER;
  else if (!base) problem = `no base model for the ${what} checkpoint ${extra.path}: set llavaStudio.chat.workerModel (neither adapter_config.json nor the run's run.json names one)`;
  const detail = `worker: ${base || '?'} + ${kind === 'lora' ? 'adapter' : 'projector'} ${extra.path}`;
  return { info: { id, kind: 'worker', label: `${name} (${what})`, detail, problem }, config: problem ? null : workerConfig(env, base, extra.path) };
}

/**
 * Base model of a checkpoint's worker target, shown as its own target so a compare can pit base vs
 * fine-tuned. For a LoRA adapter it is the checkpoint's own worker with the adapter switched off per
 * request (`use_adapter: false`), so the base model is loaded once. A projector is not switched off
 * (the worker cannot): its base gets a worker of its own.
 */
async function checkpointBase(env: TargetEnv, extra: ExtraTarget): Promise<ResolvedTarget | null> {
  const kind = await checkpointKind(extra.path, extra.hasAdapter);
  if (kind === 'full') return null;
  const base = await checkpointBaseModel(extra.path, env.settings.workerModel);
  if (!base) return null;
  const problem = env.trusted ? null : UNTRUSTED_WORKER;
  const shared = kind === 'lora';
  const info = { id: `worker-base:${base}`, kind: 'worker' as const, label: `${basename(base)} (base)`, detail: shared ? `worker: ${base} (adapter of ${extra.path} switched off)` : `worker: ${base}`, problem };
  if (problem) return { info, config: null };
  return shared ? { info, config: workerConfig(env, base, extra.path), generate: { useAdapter: false } } : { info, config: workerConfig(env, base) };
}

export async function listTargets(env: TargetEnv, extras: readonly ExtraTarget[] = []): Promise<{ targets: ResolvedTarget[]; onboarding: Onboarding }> {
  const targets: ResolvedTarget[] = [];
  const add = (target: ResolvedTarget | null) => {
    if (target && !targets.some((t) => t.info.id === target.info.id)) targets.push(target);
  };
  for (const extra of extras) {
    add(await checkpointTarget(env, extra));
    add(await checkpointBase(env, extra));
  }
  const onnx = await configuredOnnx(env);
  add(onnx.target);
  const shortlist = await Promise.all(MODEL_SHORTLIST.map(async (model) => {
    const target = await onnxTarget(downloadDir(env.modelsDir, model.repo), model.label, model.dtype);
    return { model, target };
  }));
  for (const { target } of shortlist) if (target.config) add(target);

  const { openaiBaseUrl, openaiModel, workerModel } = env.settings;
  if (openaiBaseUrl.trim() && openaiModel.trim()) {
    const base = openaiBaseUrl.trim().replace(/\/+$/, '');
    add({ info: { id: 'openai', kind: 'openai', label: openaiModel.trim(), detail: displayUrl(base), problem: null }, config: { kind: 'openai', baseUrl: base, model: openaiModel.trim() }, wantsApiKey: true });
  }
  if (workerModel.trim()) {
    const problem = env.trusted ? null : UNTRUSTED_WORKER;
    add({ info: { id: 'worker', kind: 'worker', label: basename(workerModel.trim()), detail: `worker: ${workerModel.trim()} (${env.settings.python.trim() || 'python3'})`, problem }, config: problem ? null : workerConfig(env, workerModel.trim()) });
  }
  const usable = targets.some((t) => t.config !== null);
  const onboarding: Onboarding = {
    needed: !usable,
    problem: onnx.problem,
    shortlist: shortlist.map(({ model, target }) => ({ repo: model.repo, label: model.label, approxMb: model.approxMb, notes: model.notes, downloaded: target.config !== null })),
  };
  // Unusable targets are ones the settings ask for explicitly: they stay listed, greyed, with the reason.
  return { targets, onboarding };
}
