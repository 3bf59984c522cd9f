/**
 * `npm run manifest:zip [-- --out DIR]`: builds the Teams app package to upload in the Teams admin
 * center or to sideload. Substitutes the bot id (MICROSOFT_APP_ID) and the public host (from
 * PUBLIC_URL) into manifest/teams/*.json, checks the result, and writes helpdesk-teams.zip
 * (manifest.json, fr-fr.json and the two icons at the zip root) to manifest/build/ or DIR.
 * Reads .env like the server does; real environment variables win.
 */
import { existsSync, mkdirSync, readFileSync, readdirSync, writeFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import ajvDraft04 from 'ajv-draft-04';
import ajvFormats from 'ajv-formats';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import { loadDotEnv } from '../src/config/index.js';

const REPO = resolve(dirname(fileURLToPath(import.meta.url)), '..');
export const TEAMS_DIR = join(REPO, 'manifest', 'teams');
export const DEFAULT_OUT_DIR = join(REPO, 'manifest', 'build');
export const ZIP_NAME = 'helpdesk-teams.zip';
/** Reference copy of Microsoft's schema next to the repository in development setups (never vendored). */
export const OFFICIAL_SCHEMA = resolve(REPO, '..', 'shared', 'schemas', 'teams', 'MicrosoftTeams.v1.29.schema.json');

// Both are CommonJS: with NodeNext the default import is module.exports, whose `default` is the export.
const Ajv = ajvDraft04.default;
const addFormats = ajvFormats.default;

const GUID = /^[0-9a-fA-F]{8}-([0-9a-fA-F]{4}-){3}[0-9a-fA-F]{12}$/;
const ICONS = { 'color.png': 192, 'outline.png': 32 } as const;

export class ManifestError extends Error {
  constructor(readonly problems: string[]) {
    super(`Teams app package not built:\n  - ${problems.join('\n  - ')}`);
    this.name = 'ManifestError';
  }
}

export interface TeamsSettings {
  botId: string;
  hostname: string;
}

/** The placeholders of manifest/teams/*.json, from the same variables the server uses. */
export function teamsSettings(env: Record<string, string | undefined>): TeamsSettings {
  const problems: string[] = [];
  const botId = env.MICROSOFT_APP_ID?.trim() ?? '';
  if (!botId) problems.push('MICROSOFT_APP_ID is not set: use the Application (client) ID of the bot\'s Entra app registration or managed identity');
  else if (!GUID.test(botId)) problems.push(`MICROSOFT_APP_ID must be a GUID like 00000000-0000-0000-0000-000000000000, got "${botId}"`);

  const publicUrl = env.PUBLIC_URL?.trim() ?? '';
  let hostname = '';
  if (!publicUrl) {
    problems.push('PUBLIC_URL is not set: use the public https address of this server, e.g. https://helpdesk.example.com');
  } else {
    try {
      const url = new URL(publicUrl);
      if (url.protocol !== 'https:') problems.push(`PUBLIC_URL must use https (Teams and the Bot Framework require it), got "${publicUrl}"`);
      else if (url.hostname === 'localhost' || /^[\d.]+$/.test(url.hostname)) problems.push(`PUBLIC_URL must be a public host name, not "${url.hostname}"`);
      else hostname = url.hostname;
    } catch {
      problems.push(`PUBLIC_URL is not a valid URL: "${publicUrl}"`);
    }
  }
  if (problems.length) throw new ManifestError(problems);
  return { botId, hostname };
}

/** Replaces ${{BOT_ID}} and ${{PUBLIC_HOSTNAME}}; any other placeholder left is an error. */
export function substitute(text: string, settings: TeamsSettings, file: string): string {
  const values: Record<string, string> = { BOT_ID: settings.botId, PUBLIC_HOSTNAME: settings.hostname };
  return text.replace(/\$\{\{\s*(\w+)\s*\}\}/g, (whole, name: string) => {
    const value = values[name];
    if (value === undefined) throw new ManifestError([`${file}: unknown placeholder ${whole}`]);
    return value;
  });
}

/** Validator for Microsoft's Teams manifest schema. It declares draft-04, hence ajv-draft-04. */
export function schemaValidator(schemaPath: string): (manifest: unknown) => string[] {
  const ajv = new Ajv({ allErrors: true, strict: false });
  addFormats(ajv);
  const validate = ajv.compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
  return (manifest) => (validate(manifest) ? [] : (validate.errors ?? []).map((e) => `manifest.json${e.instancePath} ${e.message ?? ''}`.trim()));
}

/**
 * Limits of the localization file (documented with its own schema, which is not vendored here):
 * allowed keys and lengths, required names, and every key pointing at something in the manifest.
 */
const LOCALIZABLE: [RegExp, number][] = [
  [/^name\.short$/, 30],
  [/^name\.full$/, 100],
  [/^description\.short$/, 80],
  [/^description\.full$/, 4000],
  [/^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.title$/, 32],
  [/^bots\[0\]\.commandLists\[[0-2]\]\.commands\[[0-9]\]\.description$/, 128],
];
const REQUIRED_LOCALIZED = ['name.short', 'name.full', 'description.short', 'description.full'];

function valueAtPath(root: unknown, path: string): unknown {
  return path
    .replace(/\[(\d+)\]/g, '.$1')
    .split('.')
    .reduce<unknown>((node, key) => (node && typeof node === 'object' ? (node as Record<string, unknown>)[key] : undefined), root);
}

export function checkLocalization(file: string, localization: Record<string, unknown>, manifest: unknown): string[] {
  const problems: string[] = [];
  for (const key of REQUIRED_LOCALIZED) if (!(key in localization)) problems.push(`${file}: missing "${key}"`);
  for (const [key, value] of Object.entries(localization)) {
    if (key === '$schema') continue;
    const rule = LOCALIZABLE.find(([re]) => re.test(key));
    if (!rule) problems.push(`${file}: "${key}" is not a localizable property`);
    else if (typeof value !== 'string' || !value.trim()) problems.push(`${file}: "${key}" must be a non-empty string`);
    else if (value.length > rule[1]) problems.push(`${file}: "${key}" is ${value.length} characters, at most ${rule[1]}`);
    else if (typeof valueAtPath(manifest, key) !== 'string') problems.push(`${file}: "${key}" has no counterpart in manifest.json`);
  }
  // Every command a user sees must exist in every language.
  const commands = (valueAtPath(manifest, 'bots[0].commandLists') as { commands: unknown[] }[] | undefined) ?? [];
  commands.forEach((list, i) =>
    list.commands.forEach((_, j) => {
      const key = `bots[0].commandLists[${i}].commands[${j}].title`;
      if (!(key in localization)) problems.push(`${file}: missing "${key}"`);
    }),
  );
  return problems;
}

function checkIcon(name: keyof typeof ICONS, data: Buffer): string[] {
  let png: PNG;
  try {
    png = PNG.sync.read(data);
  } catch (e) {
    return [`${name}: not a PNG (${(e as Error).message})`];
  }
  const size = ICONS[name];
  if (png.width !== size || png.height !== size) return [`${name}: ${png.width}×${png.height}, must be ${size}×${size}`];
  if (name === 'outline.png') {
    for (let i = 0; i < png.data.length; i += 4) {
      const [r, g, b, a] = [png.data[i], png.data[i + 1], png.data[i + 2], png.data[i + 3]];
      if (a !== 0 && (r !== 255 || g !== 255 || b !== 255)) return [`outline.png: pixel ${i / 4} is not white or transparent`];
    }
  }
  return [];
}

/** Everything the package must satisfy; the official schema is used when it is available. */
export function checkPackage(files: Map<string, Buffer>, validateSchema?: (manifest: unknown) => string[]): string[] {
  const manifestText = files.get('manifest.json')?.toString('utf8');
  if (!manifestText) return ['manifest.json is missing'];
  const manifest = JSON.parse(manifestText) as Record<string, any>;
  const problems: string[] = validateSchema ? validateSchema(manifest) : [];
  if (manifest.manifestVersion !== '1.29') problems.push(`manifest.json: manifestVersion must be "1.29"`);
  for (const [name, value] of [['id', manifest.id], ['bots[0].botId', manifest.bots?.[0]?.botId]]) {
    if (!GUID.test(String(value))) problems.push(`manifest.json: ${name} is not a GUID`);
  }
  for (const list of manifest.bots?.[0]?.commandLists ?? []) {
    for (const c of list.commands) if (c.title.length > 32) problems.push(`manifest.json: command "${c.title}" is longer than 32 characters`);
  }
  for (const name of Object.keys(ICONS) as (keyof typeof ICONS)[]) {
    if (manifest.icons?.[name.replace('.png', '')] !== name) problems.push(`manifest.json: icons.${name.replace('.png', '')} must be "${name}"`);
    const data = files.get(name);
    problems.push(...(data ? checkIcon(name, data) : [`${name} is missing`]));
  }
  for (const { file } of manifest.localizationInfo?.additionalLanguages ?? []) {
    const data = files.get(file);
    if (!data) problems.push(`${file} is listed in localizationInfo but missing`);
    else problems.push(...checkLocalization(file, JSON.parse(data.toString('utf8')) as Record<string, unknown>, manifest));
  }
  return problems;
}

/** Reads manifest/teams, substitutes the settings, checks, and returns the files of the package. */
export function packageFiles(settings: TeamsSettings, validateSchema?: (manifest: unknown) => string[]): Map<string, Buffer> {
  const files = new Map<string, Buffer>();
  for (const name of readdirSync(TEAMS_DIR).sort()) {
    const data = readFileSync(join(TEAMS_DIR, name));
    files.set(name, name.endsWith('.json') ? Buffer.from(substitute(data.toString('utf8'), settings, name)) : data);
  }
  const problems = checkPackage(files, validateSchema);
  if (problems.length) throw new ManifestError(problems);
  return files;
}

export async function writeZip(files: Map<string, Buffer>, outDir: string): Promise<string> {
  const zip = new JSZip();
  // A fixed date keeps the package byte-for-byte reproducible for the same inputs.
  for (const [name, data] of files) zip.file(name, data, { date: new Date('2024-01-01T00:00:00Z') });
  mkdirSync(outDir, { recursive: true });
  const path = join(outDir, ZIP_NAME);
  writeFileSync(path, await zip.generateAsync({ type: 'nodebuffer', compression: 'DEFLATE' }));
  return path;
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { out: { type: 'string' } } });
  loadDotEnv();
  try {
    const settings = teamsSettings(process.env);
    const schema = existsSync(OFFICIAL_SCHEMA) ? schemaValidator(OFFICIAL_SCHEMA) : undefined;
    const files = packageFiles(settings, schema);
    const path = await writeZip(files, resolve(values.out ?? DEFAULT_OUT_DIR));
    console.log(`Wrote ${path} (${[...files.keys()].join(', ')}) for bot ${settings.botId} at ${settings.hostname}.`);
    console.log(schema ? `Validated against ${OFFICIAL_SCHEMA}.` : 'Official schema not found next to the repository: ran the built-in checks only.');
  } catch (e) {
    if (!(e instanceof ManifestError)) throw e;
    console.error(e.message);
    process.exitCode = 1;
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) await main();
