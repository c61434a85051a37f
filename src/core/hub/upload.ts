/**
 * Pushes a run's final/ folder (adapter, processor files, README.md model card) to a Hub model repo:
 * createRepo (private or public; an existing repo is fine) + one commit of every file. The token is
 * handed to @huggingface/hub, which sends it only as `Authorization: Bearer …`; it is scrubbed from
 * any error message that could carry it.
 */
import { openAsBlob } from 'node:fs';
import { readdir, readFile, stat } from 'node:fs/promises';
import { join, relative, sep } from 'node:path';

export interface PushRequest {
  /** The run folder; its final/ subfolder is uploaded. */
  runDir: string;
  repoId: string;
  private: boolean;
  accessToken: string;
  hubUrl?: string;
  fetch?: typeof fetch;
  commitMessage?: string;
  /** Folder to upload instead of <runDir>/final. */
  folder?: string;
}

export interface PushResult {
  repoUrl: string;
  createdRepo: boolean;
  commitOid: string | null;
  commitUrl: string | null;
  /** Repo paths committed, sorted. */
  files: string[];
}

const REPO_ID = /^[A-Za-z0-9][A-Za-z0-9._-]*\/[A-Za-z0-9][A-Za-z0-9._-]*$/;

async function listFiles(folder: string): Promise<string[]> {
  const entries = await readdir(folder, { withFileTypes: true, recursive: true });
  return entries
    .filter((e) => e.isFile() && !e.name.startsWith('.'))
    .map((e) => relative(folder, join(e.parentPath, e.name)).split(sep).join('/'))
    .sort();
}

/** A minimal model card when the worker did not write one (it normally does). */
async function fallbackCard(runDir: string, repoId: string): Promise<string> {
  let config: Record<string, unknown> = {};
  try {
    config = (JSON.parse(await readFile(join(runDir, 'run.json'), 'utf8')) as { config?: Record<string, unknown> }).config ?? {};
  } catch {
    // no run.json: a card without the training settings
  }
  const base = typeof config.model === 'string' && REPO_ID.test(config.model) ? config.model : null;
  const rows = ['method', 'lr', 'epochs', 'max_steps', 'per_device_batch', 'grad_accum', 'max_length']
    .filter((k) => config[k] !== undefined && config[k] !== null).map((k) => `| ${k} | ${JSON.stringify(config[k])} |`);
  return [
    '---',
    ...(base ? [`base_model: ${base}`] : []),
    'library_name: peft',
    'pipeline_tag: image-text-to-text',
    'tags:', '- llava-studio', '- lora',
    '---', '', `# ${repoId.split('/')[1]}`, '',
    `A ${config.method === 'projector' ? 'projector' : 'LoRA adapter'} fine-tuned with LLaVA Studio${base ? ` from [${base}](https://huggingface.co/${base})` : ''}.`, '',
    ...(rows.length > 0 ? ['| setting | value |', '| --- | --- |', ...rows, ''] : []),
  ].join('\n');
}

const scrub = (text: string, token: string): string => (token ? text.split(token).join('***') : text);

export async function pushRunToHub(request: PushRequest): Promise<PushResult> {
  if (!REPO_ID.test(request.repoId)) throw new Error(`repo id must look like namespace/name (got '${request.repoId}')`);
  if (!request.accessToken) throw new Error('pushing needs a Hugging Face token with write access');
  const folder = request.folder ?? join(request.runDir, 'final');
  if (!(await stat(folder).catch(() => null))?.isDirectory()) throw new Error(`nothing to push: ${folder} does not exist (the run has not finished)`);
  const paths = await listFiles(folder);
  if (paths.length === 0) throw new Error(`nothing to push: ${folder} is empty`);
  const files: { path: string; content: Blob }[] = await Promise.all(paths.map(async (path) => ({ path, content: await openAsBlob(join(folder, path)) })));
  if (!paths.includes('README.md')) files.push({ path: 'README.md', content: new Blob([await fallbackCard(request.runDir, request.repoId)]) });

  const hub = await import('@huggingface/hub');
  const common = { accessToken: request.accessToken, ...(request.hubUrl ? { hubUrl: request.hubUrl } : {}), ...(request.fetch ? { fetch: request.fetch } : {}) };
  const repo = { type: 'model' as const, name: request.repoId };
  let repoUrl = `${request.hubUrl ?? 'https://huggingface.co'}/${request.repoId}`;
  let createdRepo = false;
  try {
    try {
      repoUrl = (await hub.createRepo({ ...common, repo, visibility: request.private ? 'private' : 'public' })).repoUrl ?? repoUrl;
      createdRepo = true;
    } catch (error) {
      if ((error as { statusCode?: number }).statusCode !== 409) throw error; // 409: the repo exists already, commit into it
    }
    const commit = await hub.uploadFiles({
      ...common, repo, files,
      commitTitle: request.commitMessage ?? `Upload ${request.repoId.split('/')[1]} from LLaVA Studio`,
      useXet: false,
    });
    return { repoUrl, createdRepo, commitOid: commit?.commit.oid ?? null, commitUrl: commit?.commit.url ?? null, files: files.map((f) => f.path).sort() };
  } catch (error) {
    const status = (error as { statusCode?: number }).statusCode;
    const hint = status === 401 || status === 403 ? ' (check that the token has write access to this namespace)' : '';
    throw new Error(`push to ${request.repoId} failed: ${scrub((error as Error).message, request.accessToken)}${hint}`);
  }
}
