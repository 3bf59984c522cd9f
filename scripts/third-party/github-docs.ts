/**
 * Rebuilds eval/third-party/knowledge/github/en/ from GitHub Docs sources (github/docs, CC BY 4.0).
 *
 *   npx tsx scripts/third-party/github-docs.ts --checkout <github/docs git dir>   # git show <commit>:<path>
 *   npx tsx scripts/third-party/github-docs.ts --root <dir with content/ and data/reusables/>
 *
 * Every page and reusable is pinned to the commit of the stored version that was read (PAGES and
 * REUSABLES below; provenance in eval/third-party/sources/github.md). The site is Markdown with
 * Liquid; this script renders it the way docs.github.com shows the free/pro/team (fpt) version:
 *   - `{% data reusables.X %}` is replaced by data/reusables/X.md when that file is pinned here,
 *     otherwise dropped (the list of dropped ones is printed);
 *   - `{% data variables.X %}` / `{{ site.data.variables.X }}` use the VARIABLES table (values as
 *     rendered on docs.github.com);
 *   - `{% ifversion %}…{% elsif %}…{% else %}…{% endif %}` keeps the fpt branch (`fpt` true;
 *     `ghec`, `ghes`, `ghae` false; feature flags such as `pat-v2` true, as on github.com today);
 *   - platform and tool blocks (`{% mac %}`, `{% windows %}`, `{% linux %}`, `{% webui %}`,
 *     `{% cli %}`) become a bold label ("**On macOS:**") followed by their content, so the
 *     per-platform sections stay visible;
 *   - note/tip/warning tags and other layout tags are dropped, `{% octicon … aria-label="X" %}`
 *     becomes X, `[AUTOTITLE](/path)` gets the linked page's title, site-relative links become
 *     https://docs.github.com/en/… , images become their alternative text, `{:copy}` and `copy`
 *     fence flags are removed, layout HTML (span, a, br, div, em) is reduced to its text.
 * Front matter: id, title, lang, url, updated (nothing else).
 */
import { execFileSync } from 'node:child_process';
import { mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync, existsSync } from 'node:fs';
import { join, dirname } from 'node:path';
import { fileURLToPath } from 'node:url';

/** Date the stored copies were read (commit dates are not available from the stored index). */
const RETRIEVED = '2026-12-07';

export const PAGES: Array<{ path: string; commit: string }> = [
  { path: 'content/authentication/troubleshooting-ssh/error-permission-denied-publickey.md', commit: '08cba06df9d4a34ab924b09f794bcc98bbf23485' },
  { path: 'content/authentication/troubleshooting-ssh/using-ssh-over-the-https-port.md', commit: '139aa6079ecd2cd1a391512950ba5b25e6179d03' },
  { path: 'content/authentication/troubleshooting-ssh/error-key-already-in-use.md', commit: '10666f83dd0b23848d4571d5f3d1acc0fbf71f3e' },
  { path: 'content/authentication/troubleshooting-ssh/error-host-key-verification-failed.md', commit: '1912b4fc9fa13df9827e0309a8464b1276900eba' },
  { path: 'content/authentication/troubleshooting-ssh/error-ssh-add-illegal-option----k.md', commit: '5df8de16b70c12e99a7af9b3b793e7ea3019522d' },
  { path: 'content/authentication/connecting-to-github-with-ssh/testing-your-ssh-connection.md', commit: '04140376b83faa7eacd2059e64af805e8b538b88' },
  { path: 'content/authentication/connecting-to-github-with-ssh/working-with-ssh-key-passphrases.md', commit: '03e27403fe207e53813d74a40a7ee870cc97339f' },
  { path: 'content/authentication/connecting-to-github-with-ssh/adding-a-new-ssh-key-to-your-github-account.md', commit: '0ea440e2a3552b24349e4a8957a98ed74d9b1416' },
  { path: 'content/authentication/connecting-to-github-with-ssh/generating-a-new-ssh-key-and-adding-it-to-the-ssh-agent.md', commit: '01c499b96e90bdb7002966c7098e13cec5b853e1' },
  { path: 'content/authentication/securing-your-account-with-two-factor-authentication-2fa/recovering-your-account-if-you-lose-your-2fa-credentials.md', commit: '04b1ecd2cf1256e21f937d35610c484d3d8f785d' },
  { path: 'content/authentication/keeping-your-account-and-data-secure/token-expiration-and-revocation.md', commit: '02ac71cd67f12f791665800215adb392e5bbea21' },
  { path: 'content/authentication/keeping-your-account-and-data-secure/githubs-ssh-key-fingerprints.md', commit: '126f507302a4d402fab5a329e6bd8bd0b8e29762' },
  { path: 'content/authentication/keeping-your-account-and-data-secure/managing-your-personal-access-tokens.md', commit: '028f1daf17e8a319f174e3df1cb1ea377382e0e7' },
  { path: 'content/authentication/managing-commit-signature-verification/displaying-verification-statuses-for-all-of-your-commits.md', commit: '0084d86e902e466a7cf9c76a092fbb4ef40c9032' },
  { path: 'content/authentication/managing-commit-signature-verification/telling-git-about-your-signing-key.md', commit: '007e290788814aa08bcd10601cfb9d93632ea677' },
  { path: 'content/get-started/getting-started-with-git/caching-your-github-credentials-in-git.md', commit: '058fa63bfe93d4d06889d0d18c601d6c56b66c56' },
  { path: 'content/pull-requests/committing-changes-to-your-project/troubleshooting-commits/why-are-my-commits-linked-to-the-wrong-user.md', commit: '058fa63bfe93d4d06889d0d18c601d6c56b66c56' },
  { path: 'content/account-and-profile/setting-up-and-managing-your-personal-account-on-github/managing-email-preferences/setting-your-commit-email-address.md', commit: '110ea0c87e0344621f3e95c3ed6100b4394a910f' },
  { path: 'content/get-started/getting-started-with-git/updating-credentials-from-the-macos-keychain.md', commit: '025ea1e15304ffe151fdc1baf3b44d4eb6a49a87' },
  { path: 'content/get-started/getting-started-with-git/about-remote-repositories.md', commit: '058fa63bfe93d4d06889d0d18c601d6c56b66c56' },
  { path: 'content/authentication/securing-your-account-with-two-factor-authentication-2fa/accessing-github-using-two-factor-authentication.md', commit: '042be30764f6050e1e2e322b925e9b74cf0c8d98' },
];

export const REUSABLES: Array<{ path: string; commit: string }> = [
  { path: 'data/reusables/user-settings/access_settings.md', commit: '08f06f22f5ac10eb87f4438c80d222640c64b185' },
  { path: 'data/reusables/user-settings/ssh.md', commit: '18bcc475573f304ca51ee36487f56d9d5c452268' },
  { path: 'data/reusables/user-settings/developer_settings.md', commit: '3a3147077fa8bd86e960471e8c297b63c01b9c58' },
  { path: 'data/reusables/command_line/start_ssh_agent.md', commit: '167d51b6ad910eadfa485a83982fe368a16b3f9a' },
  { path: 'data/reusables/ssh/add-ssh-key-to-ssh-agent.md', commit: '90c673a70a24895d7f36518de18979b90f69730c' },
  { path: 'data/reusables/ssh/add-ssh-key-to-ssh-agent-commandline.md', commit: '5b8df8c0135a5b6f3b6d2a699ef460159a85da9f' },
  { path: 'data/reusables/two_fa/support-may-not-help.md', commit: '3df90fc9b811728a9b7ee45f598f9ae196783b54' },
  { path: 'data/reusables/gpg/configure-gpg-signing.md', commit: '15553732d76228ccc3754a2e5152abc0156f600c' },
  { path: 'data/reusables/gpg/list-keys-with-note.md', commit: '1352d33f36bf5a834355d9cba1c671e161ecebe4' },
  { path: 'data/reusables/gpg/copy-gpg-key-id.md', commit: '126f507302a4d402fab5a329e6bd8bd0b8e29762' },
  { path: 'data/reusables/gpg/paste-gpg-key-id.md', commit: '13b23a14f43bfa77cc3dee506069f7d17a9fbc6f' },
  { path: 'data/reusables/gpg/set-auto-sign.md', commit: '13b23a14f43bfa77cc3dee506069f7d17a9fbc6f' },
  { path: 'data/reusables/gpg/configure-ssh-signing.md', commit: '5ad75220cac0a5d6914494208824fd3df5db176b' },
  { path: 'data/reusables/gpg/paste-ssh-public-key.md', commit: '11ad33a763da99ddaae79bcf2ca200681852569f' },
  { path: 'data/reusables/gpg/copy-ssh-public-key.md', commit: '03b912c1eddf76eaa9e1f2fb20435dcf42a601fa' },
  { path: 'data/reusables/user-settings/password-authentication-deprecation.md', commit: '3bc6b7bd4c3bda53b18abea782eba9c7f3b0c839' },
  { path: 'data/reusables/command_line/provide-an-access-token.md', commit: '05befdad4c82558657545c00358e47c6a666a492' },
];

/** Values as docs.github.com renders them for github.com (fpt). */
const VARIABLES: Record<string, string> = {
  'product.product_name': 'GitHub',
  'product.prodname_dotcom': 'GitHub',
  'product.github': 'GitHub',
  'product.company_short': 'GitHub',
  'product.product_location': 'GitHub.com',
  'location.product_location': 'GitHub.com',
  'product.product_url': 'github.com',
  'command_line.codeblock': 'github.com',
  'command_line.backticks': 'github.com',
  'product.prodname_blog': 'the GitHub Blog',
  'product.prodname_docs': 'GitHub Docs',
  'product.prodname_cli': 'GitHub CLI',
  'product.prodname_desktop': 'GitHub Desktop',
  'product.prodname_mobile': 'GitHub Mobile',
  'product.prodname_ghe_server': 'GitHub Enterprise Server',
  'product.prodname_ghe_cloud': 'GitHub Enterprise Cloud',
  'product.prodname_oauth_app': 'OAuth app',
  'product.prodname_github_app': 'GitHub App',
  'product.prodname_github_apps': 'GitHub Apps',
  'product.prodname_actions': 'GitHub Actions',
  'product.prodname_codespaces': 'GitHub Codespaces',
  'product.pat_generic': 'personal access token',
  'product.pat_generic_caps': 'Personal access token',
  'product.pat_generic_caps_plural': 'Personal access tokens',
  'product.pat_v1': 'personal access token (classic)',
  'product.pat_v1_plural': 'personal access tokens (classic)',
  'product.pat_v1_caps_plural': 'Personal access tokens (classic)',
  'product.pat_v2': 'fine-grained personal access token',
  'product.pat_v2_caps': 'Fine-grained personal access token',
  'product.pat_v2_caps_plural': 'Fine-grained personal access tokens',
  'contact.contact_support': 'GitHub Support',
  'contact.github_support': 'GitHub Support',
};

const PLATFORM_LABELS: Record<string, string> = {
  mac: 'On macOS:',
  windows: 'On Windows:',
  linux: 'On Linux:',
  webui: 'On GitHub.com:',
  cli: 'With GitHub CLI:',
};

export function pageId(path: string): string {
  const base = path.split('/').pop()!.replace(/\.md$/, '');
  return `github-${base.toLowerCase().replace(/[^a-z0-9]+/g, '-').replace(/^-+|-+$/g, '')}`;
}

export function pageUrl(path: string): string {
  return `https://docs.github.com/en/${path.replace(/^content\//, '').replace(/\.md$/, '')}`;
}

/** Evaluates an ifversion condition for the fpt (github.com) rendering. */
function versionTrue(cond: string): boolean {
  return cond.split(/\s+or\s+/).some((alt) =>
    alt.split(/\s+and\s+/).every((atom) => {
      const a = atom.trim();
      if (a.startsWith('not ')) return !versionTrue(a.slice(4));
      const name = a.split(/\s+/)[0]!;
      if (name === 'fpt') return true;
      if (['ghec', 'ghes', 'ghae'].includes(name)) return false;
      return true; // feature flags (pat-v2, ssh-commit-verification, …) are on for github.com
    }),
  );
}

/** Resolves nested ifversion/elsif/else/endif blocks. */
function resolveVersions(text: string): string {
  const tag = /\{%-?\s*(ifversion|elsif|else|endif)\b([^%]*?)-?%\}/g;
  let out = '';
  // Each stack frame: whether the current branch is kept, whether some branch was already taken, parent kept.
  const stack: Array<{ keep: boolean; taken: boolean; parent: boolean }> = [];
  let last = 0;
  const kept = (): boolean => (stack.length === 0 ? true : stack[stack.length - 1]!.keep);
  for (const m of text.matchAll(tag)) {
    if (kept()) out += text.slice(last, m.index);
    last = m.index! + m[0].length;
    const kind = m[1]!;
    const cond = (m[2] ?? '').trim();
    if (kind === 'ifversion') {
      const parent = kept();
      const ok = parent && versionTrue(cond);
      stack.push({ keep: ok, taken: ok, parent });
    } else if (kind === 'elsif') {
      const f = stack[stack.length - 1];
      if (!f) continue;
      const ok = f.parent && !f.taken && versionTrue(cond);
      f.keep = ok;
      f.taken ||= ok;
    } else if (kind === 'else') {
      const f = stack[stack.length - 1];
      if (!f) continue;
      f.keep = f.parent && !f.taken;
      f.taken = true;
    } else {
      stack.pop();
    }
  }
  if (kept()) out += text.slice(last);
  return out;
}

function splitFrontMatter(raw: string): { fm: Record<string, string>; body: string } {
  let text = raw.replace(/\r\n/g, '\n');
  // Two stored versions were vandalised; repair them, nothing else: displaying-verification-
  // statuses… (0084d86) had a wallet address instead of the opening `---` and after `versions:`;
  // updating-credentials-from-the-macos-keychain (025ea1e) had two PDF links before the front matter.
  text = text.replace(/^bc1q[0-9a-z]+\n/, '---\n').replace(/^(versions:)bc1q[0-9a-z]+$/m, '$1');
  if (!text.startsWith('---\n') && /^---$/m.test(text)) text = text.slice(text.search(/^---$/m));
  const m = /^---\n([\s\S]*?)\n---\n?/.exec(text);
  if (!m) return { fm: {}, body: text };
  const fm: Record<string, string> = {};
  for (const line of m[1]!.split('\n')) {
    const kv = /^(title|intro|shortTitle):\s*(.*)$/.exec(line);
    if (!kv) continue;
    let v = kv[2]!.trim();
    if (v.startsWith("'") && v.endsWith("'")) v = v.slice(1, -1).replace(/''/g, "'");
    else if (v.startsWith('"') && v.endsWith('"')) v = v.slice(1, -1);
    fm[kv[1]!] = v;
  }
  return { fm, body: text.slice(m[0].length) };
}

function humanize(slug: string): string {
  const s = slug.replace(/-/g, ' ');
  return s.charAt(0).toUpperCase() + s.slice(1);
}

export function render(
  raw: string,
  readReusable: (name: string) => string | undefined,
  titles: Map<string, string>,
  dropped: Set<string>,
): { title: string; markdown: string } {
  const { fm, body } = splitFrontMatter(raw);
  let text = `${fm.intro ? `${fm.intro}\n\n` : ''}${body}`;
  // Reusables, recursively (they can contain other Liquid, resolved below).
  for (let depth = 0; depth < 5; depth++) {
    const next = text.replace(/\{%-?\s*data\s+reusables\.([\w.-]+)\s*-?%\}/g, (_all, name: string) => {
      const r = readReusable(name);
      if (r === undefined) {
        dropped.add(name);
        return '';
      }
      return r.trimEnd();
    });
    if (next === text) break;
    text = next;
  }
  const variable = (name: string): string => VARIABLES[name] ?? (dropped.add(`variables.${name}`), '');
  text = text
    .replace(/\{%-?\s*data\s+variables\.([\w.]+)\s*-?%\}/g, (_a, n: string) => variable(n))
    .replace(/\{\{\s*site\.data\.variables\.([\w.]+)\s*\}\}/g, (_a, n: string) => variable(n));
  text = resolveVersions(text);
  let title = resolveVersions(fm.title ?? '');
  title = title.replace(/\{%-?\s*data\s+variables\.([\w.]+)\s*-?%\}/g, (_a, n: string) => variable(n));
  text = text
    .replace(/\{%\s*(mac|windows|linux|webui|cli)\s*%\}/g, (_a, p: string) => `\n\n**${PLATFORM_LABELS[p]}**\n\n`)
    .replace(/\{%\s*end(mac|windows|linux|webui|cli)\s*%\}/g, '\n')
    .replace(/\{%\s*octicon\s+"[^"]*"[^%]*?aria-label="([^"]*)"[^%]*%\}/g, '$1')
    .replace(/\{%\s*octicon\s+[^%]*%\}\s?/g, '')
    .replace(/\{%-?\s*[^%]*?-?%\}/g, '') // note/tip/warning/include and any other layout tag
    .replace(/\{\{[^}]*\}\}/g, '');
  // Links and images.
  text = text
    .replace(/!\[([^\]]*)\]\([^)]*\)/g, (_a, alt: string) => alt)
    .replace(/\[AUTOTITLE\]\(([^)#]*)(#[^)]*)?\)/g, (_a, p: string, anchor?: string) => {
      const key = p.replace(/^\/(en\/)?/, '').replace(/\/$/, '');
      const t = titles.get(key) ?? humanize(key.split('/').pop() ?? key);
      return `[${t}](${p}${anchor ?? ''})`;
    })
    .replace(/\]\(\/(?!\/)(?:en\/)?([^)]*)\)/g, '](https://docs.github.com/en/$1)');
  // Layout HTML and fence flags.
  text = text
    .replace(/<\/?(span|div|em)\b[^>]*>/g, '')
    .replace(/<a\b[^>]*>(.*?)<\/a>/g, '$1')
    .replace(/<br\s*\/?>/g, '')
    .replace(/<code>(.*?)<\/code>/g, '`$1`')
    .replace(/&lt;/g, '<')
    .replace(/```(\w+)\{:copy\}/gi, '```$1')
    .replace(/```(\w+) copy\b/g, '```$1')
    .replace(/[ \t]+$/gm, '')
    .replace(/\n{3,}/g, '\n\n')
    .trim();
  return { title, markdown: `# ${title}\n\n${text}\n` };
}

function main(): void {
  const args = process.argv.slice(2);
  const at = (flag: string): string | undefined => {
    const i = args.indexOf(flag);
    return i >= 0 ? args[i + 1] : undefined;
  };
  const checkout = at('--checkout');
  const root = at('--root');
  if (!checkout && !root) {
    console.error('usage: npx tsx scripts/third-party/github-docs.ts (--checkout <git dir> | --root <dir>)');
    process.exit(2);
  }
  const read = (path: string, commit: string): string | undefined => {
    if (checkout) {
      try {
        return execFileSync('git', ['-C', checkout, 'show', `${commit}:${path}`], { encoding: 'utf8' });
      } catch {
        return undefined;
      }
    }
    const f = join(root!, path);
    return existsSync(f) ? readFileSync(f, 'utf8') : undefined;
  };
  const reusables = new Map(REUSABLES.map((r) => [r.path, r.commit]));
  const readReusable = (name: string): string | undefined => {
    // The older `user_settings.` spelling names the same folder as `user-settings.`.
    const path = `data/reusables/${name.replace(/^user_settings\./, 'user-settings.').replace(/\./g, '/')}.md`;
    const commit = reusables.get(path);
    return commit ? read(path, commit) : undefined;
  };
  const raws = PAGES.map((p) => {
    const raw = read(p.path, p.commit);
    if (raw === undefined) throw new Error(`missing ${p.path} at ${p.commit}`);
    return { ...p, raw };
  });
  const titles = new Map<string, string>();
  for (const p of raws) {
    const t = /^title:\s*'?(.*?)'?\s*$/m.exec(p.raw)?.[1];
    if (t) titles.set(p.path.replace(/^content\//, '').replace(/\.md$/, ''), t.replace(/''/g, "'"));
  }
  const here = dirname(fileURLToPath(import.meta.url));
  const outDir = join(here, '..', '..', 'eval', 'third-party', 'knowledge', 'github', 'en');
  rmSync(outDir, { recursive: true, force: true });
  mkdirSync(outDir, { recursive: true });
  const dropped = new Set<string>();
  for (const p of raws) {
    const { title, markdown } = render(p.raw, readReusable, titles, dropped);
    const id = pageId(p.path);
    const fm = ['---', `id: ${id}`, `title: ${JSON.stringify(title)}`, 'lang: en', `url: ${pageUrl(p.path)}`, `updated: ${RETRIEVED}`, '---', ''];
    writeFileSync(join(outDir, `${id}.md`), `${fm.join('\n')}\n${markdown}`);
  }
  console.log(`${raws.length} articles written to ${outDir}`);
  if (dropped.size > 0) console.log(`not resolved (dropped): ${[...dropped].sort().join(', ')}`);
  console.log(readdirSync(outDir).length === raws.length ? 'ok' : 'id collision');
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) main();
