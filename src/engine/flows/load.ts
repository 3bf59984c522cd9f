import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LineCounter, parseDocument, type Document } from 'yaml';
import type { LintIssue } from '../lint-issue.js';
import { createFlowCatalog, type FlowCatalog } from './catalog.js';
import { flowSchema, type Flow, type FlowStep } from './schema.js';
import { lintFlowGraph, lintFlowSet } from './lint.js';

/** Where a path inside the YAML document starts, as a 1-based line. */
export type Locate = (path: ReadonlyArray<string | number>) => number | undefined;

export interface ParsedFlowFile {
  file: string;
  flow?: Flow;
  locate: Locate;
  issues: LintIssue[];
}

function locator(doc: Document, lines: LineCounter): Locate {
  return (path) => {
    // A missing key has no node: report the closest existing parent instead.
    for (let n = path.length; n >= 0; n--) {
      const node = doc.getIn(path.slice(0, n), true) as { range?: [number, number, number] } | undefined;
      if (node && typeof node === 'object' && node.range) return lines.linePos(node.range[0]).line;
    }
    return undefined;
  };
}

/** Parses and validates one flow file. `file` is the path reported in issues (relative to the knowledge folder). */
export function parseFlowFile(source: string, file: string): ParsedFlowFile {
  const lines = new LineCounter();
  const doc = parseDocument(source, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
  const locate = locator(doc, lines);
  const issues: LintIssue[] = [];
  for (const e of doc.errors) {
    issues.push({ severity: 'error', file, line: e.linePos?.[0].line, message: `invalid YAML: ${e.message.split('\n')[0]}` });
  }
  if (issues.length) return { file, locate, issues };

  const result = flowSchema.safeParse(doc.toJS());
  if (!result.success) {
    for (const issue of result.error.issues) {
      const where = issue.path.length ? issue.path.join('.') : '(file)';
      issues.push({ severity: 'error', file, line: locate(issue.path), message: `${where}: ${describe(issue)}` });
    }
    return { file, locate, issues };
  }
  const flow = result.data;
  issues.push(...lintFlowGraph(flow, file, locate));
  return { file, flow, locate, issues };
}

function describe(issue: { message: string; code: string; keys?: string[]; options?: unknown[] }): string {
  if (issue.code === 'unrecognized_keys' && issue.keys) return `unknown key(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
  if (issue.code === 'invalid_union_discriminator' && issue.options) {
    return `unknown step type; expected one of ${issue.options.join(', ')}`;
  }
  return issue.message;
}

export interface LoadedFlows {
  catalog: FlowCatalog;
  issues: LintIssue[];
}

const FLOWS_SUBDIR = 'flows';

/**
 * Loads `<kbDir>/flows/*.yaml`. A file with errors is skipped and reported; the others are served,
 * so one broken flow never takes the bot down.
 */
export function loadFlows(kbDir: string): LoadedFlows {
  const dir = join(kbDir, FLOWS_SUBDIR);
  const parsed: ParsedFlowFile[] = [];
  if (existsSync(dir)) {
    for (const name of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f)).sort()) {
      const file = `${FLOWS_SUBDIR}/${name}`;
      const p = parseFlowFile(readFileSync(join(dir, name), 'utf8'), file);
      const expectedId = name.replace(/\.ya?ml$/, '');
      if (p.flow && p.flow.id !== expectedId) {
        p.issues.push({ severity: 'error', file, line: p.locate(['id']), message: `id "${p.flow.id}" does not match the file name (${expectedId})` });
      }
      parsed.push(p);
    }
  }
  const issues = parsed.flatMap((p) => p.issues);
  issues.push(...lintFlowSet(parsed));
  const broken = new Set(issues.filter((i) => i.severity === 'error').map((i) => i.file));
  const flows = parsed.filter((p) => p.flow && !broken.has(p.file)).map((p) => p.flow as Flow);
  return { catalog: createFlowCatalog(flows), issues };
}

/** Lint report for `helpdesk lint`: every problem in `<kbDir>/flows`, with file and line. */
export function lintFlows(kbDir: string): LintIssue[] {
  return loadFlows(kbDir).issues;
}

/** Ids of the flows that load without errors, for checking articles' `flow:` references. */
export function flowIds(kbDir: string): string[] {
  return loadFlows(kbDir).catalog.all().map((f) => f.id);
}

export type { Flow, FlowStep };
