import type { Article } from './types.js';

/**
 * An article and its translations form a family: they compete as one candidate in retrieval
 * and an expected id in the dev set matches any member. Links may point either way and chain
 * (fr → en, de → fr); unknown targets are ignored here and reported by lint.
 */
export interface Families {
  /** Family key (the member without translation_of when there is one) of every article id. */
  familyOf: Map<string, string>;
  /** Members of each family, sorted by id. */
  members: Map<string, string[]>;
}

export function buildFamilies(articles: readonly Article[]): Families {
  const parent = new Map<string, string>();
  const find = (id: string): string => {
    let root = id;
    while (parent.get(root) !== root) root = parent.get(root) ?? root;
    parent.set(id, root);
    return root;
  };
  const ids = new Set(articles.map((a) => a.id));
  for (const a of articles) parent.set(a.id, a.id);
  for (const a of articles) {
    if (!a.translationOf || !ids.has(a.translationOf)) continue;
    const x = find(a.id);
    const y = find(a.translationOf);
    if (x !== y) parent.set(x, y);
  }
  const members = new Map<string, string[]>();
  for (const a of articles) {
    const root = find(a.id);
    members.set(root, [...(members.get(root) ?? []), a.id]);
  }
  // Key a family by its original (the member that translates nothing), for stable, readable keys.
  const byId = new Map(articles.map((a) => [a.id, a]));
  const familyOf = new Map<string, string>();
  const keyed = new Map<string, string[]>();
  for (const list of members.values()) {
    list.sort();
    const key = list.find((id) => !byId.get(id)?.translationOf || !ids.has(byId.get(id)?.translationOf ?? '')) ?? list[0]!;
    keyed.set(key, list);
    for (const id of list) familyOf.set(id, key);
  }
  return { familyOf, members: keyed };
}

/**
 * Translations left behind: for each article, the newest other-language member of its family when
 * that one was `updated` later (both dates known). Editing one language without the other is
 * what makes them drift; lint warns and the console shows a badge until the translation is updated.
 */
export function translationsBehind(articles: readonly Article[]): Map<string, Article> {
  const { familyOf } = buildFamilies(articles);
  const byFamily = new Map<string, Article[]>();
  for (const a of articles) {
    const key = familyOf.get(a.id) ?? a.id;
    byFamily.set(key, [...(byFamily.get(key) ?? []), a]);
  }
  const behind = new Map<string, Article>();
  for (const members of byFamily.values()) {
    for (const a of members) {
      if (!a.updated) continue;
      const newer = members
        .filter((b) => b.lang !== a.lang && b.updated && b.updated > a.updated!)
        .sort((x, y) => y.updated!.localeCompare(x.updated!))[0];
      if (newer) behind.set(a.id, newer);
    }
  }
  return behind;
}
