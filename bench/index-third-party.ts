/**
 * Indexing benchmark on third-party articles: generates N Markdown files whose front matter has
 * only `id` and `title` (bodies of 150–400 words in 2–4 sections, deterministic), then runs
 * `helpdesk index` on them with a fresh data folder and prints the wall time. Usage:
 *   npx tsx bench/index-third-party.ts [count=2000]
 */
import { spawnSync } from 'node:child_process';
import { mkdirSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { cpus, tmpdir } from 'node:os';
import { join } from 'node:path';

const count = Number(process.argv[2] ?? 2000);
const root = mkdtempSync(join(tmpdir(), 'helpdesk-bench-'));
const kb = join(root, 'kb');
mkdirSync(kb);

const subjects = ['the VPN client', 'Outlook', 'the printer', 'Teams', 'OneDrive', 'the Wi-Fi', 'the laptop', 'the dock', 'SharePoint', 'the browser', 'Excel', 'the badge reader', 'the scanner', 'the headset', 'the ERP client', 'Windows Update'];
const problems = ['does not start', 'shows error 0x80070005', 'is very slow', 'asks for a password again', 'cannot connect', 'crashes on open', 'loses its settings', 'shows a blank window', 'disconnects every few minutes', 'refuses the certificate'];
const sentences = [
  'Restart the device and sign in again with your work account.',
  'Check that you are connected to the company network or the VPN before retrying.',
  'Open Settings, select the account and choose Repair.',
  'Clear the cached credentials in Credential Manager, then open the application again.',
  'If the problem started after an update, note the update number and the time.',
  'Make sure there is at least ten percent of free disk space on the system drive.',
  'Close every other application that might use the same device or file.',
  'Try again from another network such as a phone hotspot to rule out the local network.',
  'Sign out of the application, quit it completely from the system tray and start it again.',
  'Collect a screenshot of the error message and the exact time it appeared.',
  'Ask a colleague nearby whether the same thing happens on their computer.',
  'Reinstall the application from the Company Portal if the previous steps did not help.',
];
// Deterministic pseudo-random numbers so every run indexes the same text.
let seed = 42;
const rand = (n: number) => {
  seed = (seed * 1103515245 + 12345) % 2 ** 31;
  return seed % n;
};
const pick = <T>(list: readonly T[]) => list[rand(list.length)]!;

let words = 0;
for (let i = 0; i < count; i++) {
  const title = `${pick(subjects)} ${pick(problems)} (${i})`;
  const sections: string[] = [];
  const target = 150 + rand(250);
  let n = 0;
  const headings = ['Overview', 'Cause', 'What to do', 'Workaround', 'Before you call'];
  for (let s = 0; n < target; s++) {
    const body: string[] = [];
    for (let k = 0; k < 3 + rand(4) && n < target; k++) {
      const sentence = `${pick(sentences)} ${pick(sentences)}`;
      body.push(s % 2 === 1 ? `${k + 1}. ${sentence}` : sentence);
      n += sentence.split(' ').length;
    }
    sections.push(`## ${headings[s % headings.length]}\n\n${body.join(s % 2 === 1 ? '\n' : '\n\n')}`);
  }
  words += n;
  writeFileSync(join(kb, `article-${i}.md`), `---\nid: kb-${i}\ntitle: "${title}"\n---\n\n${sections.join('\n\n')}\n`);
}
console.log(`${count} articles, ${words} words of body, ${cpus().length} cores`);

const started = Date.now();
const run = spawnSync(process.execPath, ['--import', 'tsx', 'src/cli/main.ts', 'index', '--kb', kb, '--data', join(root, 'data')], {
  stdio: ['ignore', 'pipe', 'inherit'],
  encoding: 'utf8',
});
console.log(run.stdout.trim());
console.log(`helpdesk index: ${((Date.now() - started) / 1000).toFixed(1)} s wall time (exit ${run.status})`);
if (process.env.KEEP) console.log(`kept ${root}`);
else rmSync(root, { recursive: true, force: true });
