export type TagFilter = { ok: true; test: (tag: string) => boolean } | { ok: false; error: string };

/** Compiles the toolbar's tag filter: a case-insensitive regex; empty matches everything. */
export function compileTagFilter(pattern: string): TagFilter {
  if (pattern.trim() === '') return { ok: true, test: () => true };
  try {
    const re = new RegExp(pattern, 'i');
    return { ok: true, test: (tag) => re.test(tag) };
  } catch (error) {
    const message = error instanceof Error ? error.message : String(error);
    return { ok: false, error: message.replace(/^Invalid regular expression: /, '') };
  }
}

/** The group a tag's card sits in: the part before the first `/`, or `other`. */
export function tagGroup(tag: string): string {
  const slash = tag.indexOf('/');
  return slash > 0 ? tag.slice(0, slash) : 'other';
}

const FIRST_GROUPS = ['train', 'eval'];

/** Groups tags by prefix: `train`, `eval`, the other prefixes alphabetically, `other` last; tags sorted. */
export function groupTags(tags: Iterable<string>): { group: string; tags: string[] }[] {
  const groups = new Map<string, string[]>();
  for (const tag of tags) {
    const key = tagGroup(tag);
    const list = groups.get(key);
    if (list) list.push(tag);
    else groups.set(key, [tag]);
  }
  const rank = (g: string): number => {
    const i = FIRST_GROUPS.indexOf(g);
    return i >= 0 ? i : g === 'other' ? 1e9 : FIRST_GROUPS.length;
  };
  return [...groups.entries()]
    .sort(([a], [b]) => rank(a) - rank(b) || a.localeCompare(b))
    .map(([group, list]) => ({ group, tags: list.sort((a, b) => a.localeCompare(b, undefined, { numeric: true })) }));
}
