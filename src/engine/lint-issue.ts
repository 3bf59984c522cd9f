/** A problem found in a knowledge file (article or flow), reported with its location. */
export interface LintIssue {
  severity: 'error' | 'warning';
  /** Path relative to the knowledge folder, e.g. "articles/en/vpn-cannot-connect.md". */
  file: string;
  /** 1-based line in the file, when known. */
  line?: number;
  message: string;
}

export function formatLintIssue(issue: LintIssue): string {
  const where = issue.line ? `${issue.file}:${issue.line}` : issue.file;
  return `${where}: ${issue.severity}: ${issue.message}`;
}
