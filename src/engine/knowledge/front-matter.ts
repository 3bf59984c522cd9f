import { parse as parseYaml } from 'yaml';

/**
 * Splits an article into its front matter and body. Knowledge files are data, never code: the
 * block is handed to a YAML parser only, and a block declared in another language (`---js`,
 * `---javascript`, `---coffee`, `---toml`…) is refused rather than given to an engine that could
 * evaluate it (gray-matter's default engines run `---js` blocks).
 */

export interface FrontMatterBlock {
  /** What follows the opening `---` on its line, lower-cased ('' when nothing). */
  language: string;
  /** The raw text between the delimiters, after one leading newline so that its line numbers are the file's. */
  matter: string;
  /** The body after the closing delimiter (first newline removed). */
  content: string;
}

const YAML_LANGUAGES = new Set(['', 'yaml', 'yml']);

export const isYamlLanguage = (language: string): boolean => YAML_LANGUAGES.has(language);

/** Undefined when the text does not open with a `---` line (no front matter). Expects `\n` line ends. */
export function splitFrontMatter(text: string): FrontMatterBlock | undefined {
  // `----` (a Markdown rule) is not a delimiter.
  if (!text.startsWith('---') || text.charAt(3) === '-') return undefined;
  const firstEnd = text.indexOf('\n');
  const opening = firstEnd === -1 ? text : text.slice(0, firstEnd);
  const language = opening.slice(3).trim().toLowerCase();
  const rest = firstEnd === -1 ? '' : text.slice(firstEnd + 1);
  // The closing delimiter is a line of its own: `---` (or YAML's `...`), trailing blanks allowed.
  const close = /^(?:---|\.\.\.)[ \t]*$/m.exec(rest);
  if (!close) return { language, matter: `\n${rest}`, content: '' };
  const matter = `\n${rest.slice(0, close.index).replace(/\n$/, '')}`;
  let content = rest.slice(close.index + close[0].length);
  if (content.startsWith('\n')) content = content.slice(1);
  return { language, matter, content };
}

/**
 * The front matter as plain data and the body, for readers that need no lint positions (imports,
 * scripts): YAML only; a block in another language throws instead of being evaluated.
 */
export function readYamlFrontMatter(text: string): { data: Record<string, unknown>; content: string } {
  const normalised = text.replace(/\r\n?/g, '\n');
  const block = splitFrontMatter(normalised);
  if (!block) return { data: {}, content: normalised };
  if (!isYamlLanguage(block.language)) throw new Error(`front matter in "${block.language}" is not allowed: only YAML`);
  const data = parseYaml(block.matter) as unknown;
  return { data: data && typeof data === 'object' && !Array.isArray(data) ? (data as Record<string, unknown>) : {}, content: block.content };
}
