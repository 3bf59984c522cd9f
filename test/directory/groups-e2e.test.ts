import { randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { graphUser, startGraphServer, type GraphServer } from '../helpers/graph-server.js';
import { mentions, RESTRICTED, restrictedKb } from '../helpers/restricted-kb.js';
import { startSlackApiServer, type SlackApiServer } from '../helpers/slack-api-server.js';
import { nextTs, postEvent } from '../helpers/slack-events.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * Slack states no groups: with a directory configured (here Entra ID through the local token
 * endpoint and Graph), the Slack user's verified e-mail is looked up and their Graph groups are
 * their audiences, cached. A member of the article's group is answered with it; a colleague outside
 * it never is, and a directory failure gives no groups (articles for everyone only).
 */

const TOKEN = 'xoxb-1111-2222-groupstest';
const SECRET = '9a742231b10e8888abcd99yyyzzz85a5';
const NADIA = { slack: 'U0NETADMIN1', dm: 'D0NETADMIN1', email: 'nadia@contoso.com', aad: '3f5a7b9c-1d2e-4f3a-8b5c-6d7e8f9a0b1c' };
const EMMA = { slack: 'U0EMPLOYEE2', dm: 'D0EMPLOYEE2', email: 'emma@contoso.com', aad: '4a6b8c0d-2e3f-4a5b-9c6d-7e8f9a0b1c2d' };
/** In 250 groups: the article's group comes last, on Graph's third page of 100. */
const OMAR = { slack: 'U0MANYGRPS3', dm: 'D0MANYGRPS3', email: 'omar@contoso.com', aad: '5b7c9d1e-3f4a-4b6c-8d7e-9f0a1b2c3d4e' };
const OMAR_GROUPS = [...Array.from({ length: 249 }, (_, i) => `Project ${String(i).padStart(3, '0')}`), RESTRICTED.audience];

describe('audiences from the directory for Slack users (Entra ID groups)', () => {
  const kb = restrictedKb();
  let graph: GraphServer;
  let slack: SlackApiServer;
  let server: TestApp;

  beforeAll(async () => {
    graph = await startGraphServer([
      graphUser({ id: NADIA.aad, userPrincipalName: NADIA.email, groups: ['All staff', RESTRICTED.audience] }),
      graphUser({ id: EMMA.aad, userPrincipalName: EMMA.email, groups: ['All staff', 'Finance'] }),
      graphUser({ id: OMAR.aad, userPrincipalName: OMAR.email, groups: OMAR_GROUPS }),
    ]);
    graph.pageSize = 100;
    slack = await startSlackApiServer(TOKEN);
    for (const p of [NADIA, EMMA, OMAR]) slack.users.set(p.slack, { id: p.slack, name: p.email.split('@')[0]!, locale: 'en-US', profile: { email: p.email } });
    server = await startTestApp({
      KB_DIR: kb.kbDir,
      SLACK_BOT_TOKEN: TOKEN,
      SLACK_SIGNING_SECRET: SECRET,
      SLACK_API_URL: slack.url,
      DIRECTORY_PROVIDER: 'entra',
      ENTRA_TENANT_ID: graph.tenant,
      ENTRA_CLIENT_ID: graph.clientId,
      ENTRA_CLIENT_SECRET: graph.clientSecret,
      ENTRA_AUTHORITY_URL: graph.url,
      ENTRA_GRAPH_URL: `${graph.url}/v1.0`,
    });
  });
  afterAll(async () => {
    await server?.stop();
    await slack?.close();
    await graph?.close();
    kb.close();
  });

  /** Sends a direct message and returns what the bot posted back in that conversation. */
  async function ask(person: typeof NADIA, text: string): Promise<unknown[]> {
    const posted = () => slack.of('chat.postMessage').filter((c) => c.args.channel === person.dm);
    const before = posted().length;
    const res = await postEvent(server.url, SECRET, { type: 'message', channel: person.dm, channel_type: 'im', user: person.slack, text, ts: nextTs(), client_msg_id: randomUUID() });
    expect(res.status).toBe(200);
    await slack.waitFor(() => posted().length > before);
    return posted().slice(before).map((c) => c.args);
  }

  const memberOfCalls = (aad: string) => graph.calls.filter((c) => c.path.includes(`/users/${aad}/transitiveMemberOf`)).length;

  it('answers a member of the group with the restricted article, reading the groups once', async () => {
    expect(mentions(await ask(NADIA, RESTRICTED.question), RESTRICTED.id)).toBe(true);
    expect(memberOfCalls(NADIA.aad)).toBe(1);
    await ask(NADIA, 'the VPN gateway appliance certificate expires next week');
    expect(memberOfCalls(NADIA.aad)).toBe(1);
  });

  it('reads every page of groups: a member whose group is on the last page gets the article', async () => {
    expect(mentions(await ask(OMAR, RESTRICTED.question), RESTRICTED.id)).toBe(true);
    expect(memberOfCalls(OMAR.aad)).toBe(3);
  });

  it('never shows it to a colleague outside the group', async () => {
    expect(mentions(await ask(EMMA, RESTRICTED.question), RESTRICTED.id)).toBe(false);
    expect(memberOfCalls(EMMA.aad)).toBe(1);
  });

  it('a directory that fails gives no groups: the restricted article stays hidden', async () => {
    const stranger = { slack: 'U0STRANGER1', dm: 'D0STRANGER1', email: 'stranger@contoso.com', aad: 'none' };
    slack.users.set(stranger.slack, { id: stranger.slack, name: 'stranger', profile: { email: stranger.email } });
    graph.fault = { status: 503 };
    try {
      expect(mentions(await ask(stranger, RESTRICTED.question), RESTRICTED.id)).toBe(false);
    } finally {
      graph.fault = undefined;
    }
  });
});
