import type { LintIssue } from '../lint-issue.js';
import { translationsBehind } from './families.js';
import type { KnowledgeBase } from './types.js';

/**
 * Checks across articles, on top of the per-file problems found while loading. Flow ids are a
 * parameter: flows are loaded elsewhere, and without them the flow check is skipped (not faked).
 */
export interface LintOptions {
  /** Ids of the guided-fix flows that exist; omit to skip the "unknown flow" check. */
  flowIds?: ReadonlySet<string>;
  /** ISO date used for "past review date" (defaults to today). */
  today?: string;
}

export function lintKnowledgeBase(kb: KnowledgeBase, options: LintOptions = {}): LintIssue[] {
  const today = options.today ?? new Date().toISOString().slice(0, 10);
  const issues: LintIssue[] = [...kb.issues];
  const add = (severity: LintIssue['severity'], file: string, message: string, line?: number) =>
    issues.push({ severity, file, line, message });

  const behind = translationsBehind(kb.articles);
  for (const a of kb.articles) {
    const line = (key: string) => a.keyLines[key];
    const newer = behind.get(a.id);
    if (newer) {
      add('warning', a.file, `translation behind: ${newer.id} (${newer.lang}) was updated ${newer.updated}, after this one (${a.updated}); bring it up to date, then set updated`, line('updated'));
    }
    if (a.translationOf !== undefined) {
      const target = kb.byId.get(a.translationOf);
      if (!target) add('error', a.file, `translation_of "${a.translationOf}" is not the id of any article`, line('translation_of'));
      else if (target.id === a.id) add('error', a.file, 'translation_of points to the article itself', line('translation_of'));
      else if (target.lang === a.lang) {
        add('warning', a.file, `translation_of "${target.id}" is in the same language (${a.lang})`, line('translation_of'));
      }
    }
    if (a.flow !== undefined && options.flowIds && !options.flowIds.has(a.flow)) {
      add('error', a.file, `flow "${a.flow}" does not exist (known flows: ${[...options.flowIds].sort().join(', ') || 'none'})`, line('flow'));
    }
    if (a.reviewBy && a.reviewBy < today) add('warning', a.file, `past its review date (review_by ${a.reviewBy})`, line('review_by'));
    if (a.updated && a.updated > today) add('warning', a.file, `updated ${a.updated} is in the future`, line('updated'));
    if (a.updated && a.reviewBy && a.reviewBy < a.updated) {
      add('warning', a.file, `review_by ${a.reviewBy} is before updated ${a.updated}`, line('review_by'));
    }
    if (a.steps.length === 0) add('warning', a.file, 'no numbered resolution steps found (answers will show the summary only)');
  }
  return issues.sort(
    (x, y) => x.file.localeCompare(y.file) || (x.line ?? 0) - (y.line ?? 0) || x.message.localeCompare(y.message),
  );
}
