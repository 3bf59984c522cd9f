import { describe, expect, it } from 'vitest';
import { execFileSync } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Ajv } from 'ajv';
import { parse } from 'yaml';

/**
 * What the Slack transport relies on: one Bolt endpoint for events and interactivity, the bot
 * scopes its Web API calls need, and the events it listens to. The manifest must say exactly this.
 */
const EVENTS_PATH = '/api/slack/events';
const BOT_SCOPES = [
  'chat:write', // chat.postMessage, chat.update
  'im:history', // message.im
  'im:read',
  'im:write', // conversations.open for proactive DMs
  'app_mentions:read', // app_mention
  'users:read', // users.info
  'users:read.email', // users.info profile.email
  'channels:history', // message.channels: technicians' thread replies (public channel)
  'groups:history', // message.groups: the same in a private channel
  'assistant:write', // assistant.threads.setStatus / setSuggestedPrompts / setTitle
  'reactions:write', // reactions.add (👀 on a channel mention)
];
const BOT_EVENTS = [
  'message.im',
  'app_mention',
  'message.channels',
  'message.groups',
  'assistant_thread_started',
  'assistant_thread_context_changed',
  'app_home_opened',
];
// Slack's manifest schema (draft-07) is reference material next to the repository, read at test time, never copied in.
// It sits beside the main checkout; a git worktree elsewhere finds it through the shared git directory.
const repo = fileURLToPath(new URL('../../', import.meta.url));
const SCHEMA = join('shared', 'schemas', 'slack', 'manifest.schema.1.0.0.json');
const commonDir = resolve(repo, execFileSync('git', ['rev-parse', '--git-common-dir'], { cwd: repo, encoding: 'utf8' }).trim());
const schemaPath = [resolve(repo, '..', SCHEMA), resolve(dirname(commonDir), '..', SCHEMA)].find((p) => existsSync(p)) ?? resolve(repo, '..', SCHEMA);

const manifest = parse(readFileSync(new URL('../../manifest/slack/manifest.yaml', import.meta.url), 'utf8')) as Record<string, any>;

describe('Slack app manifest', () => {
  it('validates against Slack\'s manifest schema 1.0.0 (major_version 1), which does reject a wrong manifest', () => {
    expect(manifest._metadata.major_version).toBe(1);
    const validate = new Ajv({ allErrors: true, strict: false }).compile(JSON.parse(readFileSync(schemaPath, 'utf8')) as object);
    expect(validate(manifest), JSON.stringify(validate.errors)).toBe(true);
    // The agent view needs its description; an unknown feature key is refused.
    expect(validate({ ...manifest, features: { ...manifest.features, assistant_view: {} } })).toBe(false);
    expect(validate({ ...manifest, features: { ...manifest.features, assistant_panel: true } })).toBe(false);
  });

  it('turns on the agent view and the Home tab', () => {
    expect(manifest.features.assistant_view.assistant_description.length).toBeGreaterThan(0);
    expect(manifest.features.app_home.home_tab_enabled).toBe(true);
  });

  it('requests exactly the bot scopes the code uses, and no user scopes', () => {
    expect([...manifest.oauth_config.scopes.bot].sort()).toEqual([...BOT_SCOPES].sort());
    expect(manifest.oauth_config.scopes.user).toBeUndefined();
  });

  it('subscribes to the events the code handles', () => {
    expect([...manifest.settings.event_subscriptions.bot_events].sort()).toEqual([...BOT_EVENTS].sort());
    expect(manifest.settings.event_subscriptions.user_events).toBeUndefined();
  });

  it('sends events and interactivity to the one Bolt endpoint over https, without Socket Mode', () => {
    const expected = `https://\${{PUBLIC_HOSTNAME}}${EVENTS_PATH}`;
    expect(manifest.settings.event_subscriptions.request_url).toBe(expected);
    expect(manifest.settings.interactivity).toEqual({ is_enabled: true, request_url: expected });
    expect(manifest.settings.socket_mode_enabled).toBe(false);
    const substituted = new URL(expected.replace('${{PUBLIC_HOSTNAME}}', 'helpdesk.example.com'));
    expect([substituted.protocol, substituted.pathname]).toEqual(['https:', EVENTS_PATH]);
  });

  it('has a bot user, a DM tab, and display texts within Slack\'s limits', () => {
    expect(manifest.features.bot_user.display_name.length).toBeLessThanOrEqual(80);
    expect(manifest.features.app_home).toMatchObject({ messages_tab_enabled: true, messages_tab_read_only_enabled: false });
    const info = manifest.display_information;
    expect(info.name.length).toBeLessThanOrEqual(35);
    expect(info.description.length).toBeLessThanOrEqual(140);
    expect(info.long_description.length).toBeGreaterThanOrEqual(174);
    expect(info.long_description.length).toBeLessThanOrEqual(4000);
    expect(info.background_color).toMatch(/^#[0-9A-Fa-f]{6}$/);
  });
});
