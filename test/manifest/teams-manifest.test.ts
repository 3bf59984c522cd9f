import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import JSZip from 'jszip';
import { PNG } from 'pngjs';
import {
  TEAMS_DIR,
  ZIP_NAME,
  checkLocalization,
  packageFiles,
  schemaValidator,
  teamsSettings,
} from '../../scripts/manifest-zip.js';

const repo = fileURLToPath(new URL('../../', import.meta.url));
// Microsoft's schema is reference material next to the repository, read at test time, never copied in.
const schemaPath = fileURLToPath(new URL('../../../shared/schemas/teams/MicrosoftTeams.v1.29.schema.json', import.meta.url));
const settings = { botId: '3f2504e0-4f89-41d3-9a0c-0305e82c3301', hostname: 'helpdesk.example.com' };
const env = { MICROSOFT_APP_ID: settings.botId, PUBLIC_URL: 'https://helpdesk.example.com/' };

const raw = (name: string): string => readFileSync(join(TEAMS_DIR, name), 'utf8');

describe('Teams app manifest', () => {
  const validate = schemaValidator(schemaPath);

  it('is checked with the right validator: the official schema is draft-04', () => {
    const schema = JSON.parse(readFileSync(schemaPath, 'utf8')) as { $schema: string };
    expect(schema.$schema).toBe('http://json-schema.org/draft-04/schema#');
    // The validator does reject: placeholders are not GUIDs, and 1.28 is not this schema's version.
    const unsubstituted = JSON.parse(raw('manifest.json')) as Record<string, unknown>;
    expect(validate(unsubstituted).join('\n')).toMatch(/manifest\.json\/id must match pattern/);
    expect(validate({ ...unsubstituted, manifestVersion: '1.28' }).join('\n')).toMatch(/manifestVersion must be equal to constant/);
  });

  it('validates against MicrosoftTeams.v1.29.schema.json once the bot id and host are substituted', () => {
    const files = packageFiles(settings, validate);
    const manifest = JSON.parse(files.get('manifest.json')!.toString('utf8'));
    expect(validate(manifest)).toEqual([]);
    expect(manifest.$schema).toBe('https://developer.microsoft.com/json-schemas/teams/v1.29/MicrosoftTeams.schema.json');
    expect(manifest.manifestVersion).toBe('1.29');
    expect(manifest.id).toBe(settings.botId);
    expect(manifest.validDomains).toEqual(['helpdesk.example.com']);
    const [bot] = manifest.bots;
    expect(bot).toMatchObject({ botId: settings.botId, scopes: ['personal', 'team', 'groupChat'], supportsFiles: false });
    const commands = bot.commandLists[0].commands as Array<{ title: string; type?: string }>;
    expect(commands.filter((c) => c.type !== 'prompt').map((c) => c.title)).toEqual(['help', 'my tickets', 'talk to a technician', 'start over']);
    // Prompt starters (type "prompt", the title is what lands in the compose box, so it is localized).
    expect(commands.filter((c) => c.type === 'prompt').map((c) => c.title)).toEqual([
      'How do I reset my password?',
      'My VPN will not connect',
      'Set up MFA on my new phone',
      'My printer is not printing',
    ]);
    expect(manifest.localizationInfo).toEqual({ defaultLanguageTag: 'en-us', additionalLanguages: [{ languageTag: 'fr-fr', file: 'fr-fr.json' }] });
  });

  it('has a complete French localization within the documented limits', () => {
    const fr = JSON.parse(raw('fr-fr.json')) as Record<string, unknown>;
    const manifest = JSON.parse(packageFiles(settings).get('manifest.json')!.toString('utf8'));
    expect(checkLocalization('fr-fr.json', fr, manifest)).toEqual([]);
    expect(fr['bots[0].commandLists[0].commands[2].title']).toBe('parler à un technicien');
    expect(fr['bots[0].commandLists[0].commands[5].title']).toBe('Mon VPN ne se connecte pas');
    // And the check notices what Teams would reject.
    const broken = { ...fr, 'name.short': 'x'.repeat(31), 'bots[0].commandLists[0].commands[9].title': 'fantôme', 'accentColor': '#000000' };
    delete (broken as Record<string, unknown>)['name.full'];
    delete (broken as Record<string, unknown>)['bots[0].commandLists[0].commands[3].title'];
    expect(checkLocalization('fr-fr.json', broken, manifest)).toEqual([
      'fr-fr.json: missing "name.full"',
      'fr-fr.json: "name.short" is 31 characters, at most 30',
      'fr-fr.json: "bots[0].commandLists[0].commands[9].title" has no counterpart in manifest.json',
      'fr-fr.json: "accentColor" is not a localizable property',
      'fr-fr.json: missing "bots[0].commandLists[0].commands[3].title"',
    ]);
  });

  it('ships a 192×192 colour icon and a 32×32 outline icon that is only white on transparent', () => {
    const color = PNG.sync.read(readFileSync(join(TEAMS_DIR, 'color.png')));
    expect([color.width, color.height]).toEqual([192, 192]);
    const outline = PNG.sync.read(readFileSync(join(TEAMS_DIR, 'outline.png')));
    expect([outline.width, outline.height]).toEqual([32, 32]);
    let opaque = 0;
    let transparent = 0;
    for (let i = 0; i < outline.data.length; i += 4) {
      const alpha = outline.data[i + 3]!;
      if (alpha === 0) transparent += 1;
      else {
        expect([outline.data[i], outline.data[i + 1], outline.data[i + 2]]).toEqual([255, 255, 255]);
        if (alpha === 255) opaque += 1;
      }
    }
    expect(opaque).toBeGreaterThan(100);
    expect(transparent).toBeGreaterThan(300);
  });

  it('explains what is wrong with the bot id and public URL', () => {
    expect(() => teamsSettings({})).toThrow(/MICROSOFT_APP_ID is not set[\s\S]*PUBLIC_URL is not set/);
    expect(() => teamsSettings({ MICROSOFT_APP_ID: 'my-bot', PUBLIC_URL: 'http://helpdesk.example.com' })).toThrow(
      /MICROSOFT_APP_ID must be a GUID[\s\S]*PUBLIC_URL must use https/,
    );
    expect(() => teamsSettings({ MICROSOFT_APP_ID: settings.botId, PUBLIC_URL: 'not a url' })).toThrow(/PUBLIC_URL is not a valid URL/);
    expect(() => teamsSettings({ MICROSOFT_APP_ID: settings.botId, PUBLIC_URL: 'https://localhost:3978' })).toThrow(/public host name/);
    expect(teamsSettings(env)).toEqual(settings);
  });
});

describe('npm run manifest:zip', () => {
  let out: string;
  const tsx = join(repo, 'node_modules', '.bin', 'tsx');
  const script = join(repo, 'scripts', 'manifest-zip.ts');
  // Run from an empty directory so no developer .env is picked up; only the variables given here count.
  const run = (vars: Record<string, string>) => {
    const childEnv = { ...process.env, ...vars };
    for (const name of ['MICROSOFT_APP_ID', 'PUBLIC_URL']) if (!(name in vars)) delete childEnv[name];
    return spawnSync(tsx, [script, '--out', out], { cwd: out, env: childEnv, encoding: 'utf8' });
  };

  beforeAll(() => {
    out = mkdtempSync(join(tmpdir(), 'helpdesk-manifest-'));
  });
  afterAll(() => rmSync(out, { recursive: true, force: true }));

  it('writes the package with everything at the zip root, substituted and valid', async () => {
    const result = run(env);
    expect(result.stderr).toBe('');
    expect(result.status).toBe(0);
    expect(result.stdout).toContain(ZIP_NAME);

    const zip = await JSZip.loadAsync(readFileSync(join(out, ZIP_NAME)));
    expect(Object.keys(zip.files).sort()).toEqual(['color.png', 'fr-fr.json', 'manifest.json', 'outline.png']);
    const manifestText = await zip.file('manifest.json')!.async('string');
    const frText = await zip.file('fr-fr.json')!.async('string');
    expect(manifestText + frText).not.toContain('${{');
    const manifest = JSON.parse(manifestText);
    expect(schemaValidator(schemaPath)(manifest)).toEqual([]);
    expect(manifest.bots[0].botId).toBe(settings.botId);
    expect(manifest.developer.websiteUrl).toBe('https://helpdesk.example.com/chat');
    const outline = PNG.sync.read(await zip.file('outline.png')!.async('nodebuffer'));
    expect(outline.width).toBe(32);
    expect(await zip.file('color.png')!.async('nodebuffer')).toEqual(readFileSync(join(TEAMS_DIR, 'color.png')));
  });

  it('fails with a clear message and writes nothing when the settings are missing', () => {
    const empty = mkdtempSync(join(tmpdir(), 'helpdesk-manifest-empty-'));
    try {
      const result = spawnSync(tsx, [script, '--out', empty], {
        cwd: empty,
        env: { PATH: process.env.PATH ?? '', HOME: process.env.HOME ?? '' },
        encoding: 'utf8',
      });
      expect(result.status).toBe(1);
      expect(result.stderr).toContain('MICROSOFT_APP_ID is not set');
      expect(result.stderr).toContain('PUBLIC_URL is not set');
      expect(() => readFileSync(join(empty, ZIP_NAME))).toThrow();
    } finally {
      rmSync(empty, { recursive: true, force: true });
    }
  });
});
