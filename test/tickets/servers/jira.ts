import { FakeServer, basicCredentials, type RecordedRequest, type Reply } from './base.js';

/**
 * Jira Service Management Cloud as documented: POST /rest/servicedeskapi/request, GET
 * /rest/servicedeskapi/request/{issueIdOrKey}, POST /rest/servicedeskapi/request/{issueIdOrKey}/comment
 * ({body, public} → 201 CommentDTO), GET /rest/servicedeskapi/servicedesk/{id}, JQL search
 * on GET /rest/api/2/search/jql (Cloud) and /rest/api/2/search (Data Center), basic auth with e-mail +
 * API token or a Data Center PAT, JSM error bodies {"errorMessage","i18nErrorMessage"} and platform
 * ones {"errorMessages":[],"errors":{}}. Users: raiseOnBehalfOf and JQL user values are an accountId
 * on Cloud (an e-mail is refused) and a username on Data Center; GET /rest/api/3/user/search?query=
 * (Cloud, e-mail hidden when the user's privacy settings say so) and /rest/api/2/user/search?username=
 * (Data Center) find them.
 */
export const JIRA_CREDENTIALS = { email: 'bot@example.org', apiToken: 'jira-api-token-0001' };
export const JIRA_PAT = 'jira-dc-personal-access-token';

export interface JiraUser {
  accountId: string;
  name: string;
  email: string;
  displayName: string;
  /** Customer of the service desk (may raise requests there). */
  customer: boolean;
  /** Cloud profile visibility: the e-mail is not returned. */
  emailHidden?: boolean;
}

export const JIRA_USERS: JiraUser[] = [
  { accountId: '557058:0a1b2c3d-lea', name: 'lmartin', email: 'lea.martin@example.org', displayName: 'Léa Martin', customer: true, emailHidden: true },
  { accountId: '557058:4e5f6a7b-ana', name: 'ana', email: 'ana@example.org', displayName: 'Ana Silva', customer: true },
  { accountId: '557058:8c9d0e1f-sam', name: 'sam', email: 'sam@example.org', displayName: 'Sam Agent', customer: false },
];
/** Who a request is raised by when no customer is named: the integration account. */
export const JIRA_BOT_ACCOUNT = '557058:ffff0000-bot';

export interface JiraIssue {
  id: string;
  key: string;
  summary: string;
  description: string;
  reporter: string;
  status: string;
  statusCategory: 'NEW' | 'INDETERMINATE' | 'DONE';
  requestTypeId: string;
  serviceDeskId: string;
  created: number;
}

const jsmError = (status: number, message: string): Reply => ({
  status,
  body: { errorMessage: message, i18nErrorMessage: { i18nKey: 'sd.error', parameters: [] } },
});

export function createJiraServer() {
  const desks = [{ id: '4', projectId: '10002', projectKey: 'ITSD', projectName: 'IT Service Desk' }];
  const users = JIRA_USERS.map((u) => ({ ...u }));
  const issues: JiraIssue[] = [];
  const comments: { issueId: string; body: string; public: boolean; author: string }[] = [];
  let seq = 41;

  /** The JQL this adapter sends: project = "X" AND (description ~ "\"…\"" | reporter = "…") ORDER BY … */
  const runJql = (jql: string): JiraIssue[] | undefined => {
    const m = /^project = "([^"]+)" AND (description ~ "\\"([^"\\]+)\\""|reporter = "([^"]+)") ORDER BY created (ASC|DESC)$/.exec(jql);
    if (!m) return undefined;
    const desk = desks.find((d) => d.projectKey === m[1]);
    let found = issues.filter((i) => desk && i.serviceDeskId === desk.id);
    found = m[3] !== undefined ? found.filter((i) => i.description.includes(m[3]!)) : found.filter((i) => i.reporter === m[4]);
    found.sort((a, b) => a.created - b.created);
    return m[5] === 'DESC' ? found.reverse() : found;
  };

  const handler = (req: RecordedRequest): Reply => {
    const auth = req.headers.authorization ?? '';
    const c = basicCredentials(req.headers);
    const ok = auth === `Bearer ${JIRA_PAT}` || (c?.user === JIRA_CREDENTIALS.email && c.password === JIRA_CREDENTIALS.apiToken);
    if (!ok) return { status: 401, body: { errorMessages: ['Client must be authenticated to access this resource.'], errors: {} } };

    if (req.method === 'POST' && req.path === '/rest/servicedeskapi/request') {
      const body = req.json as
        | { serviceDeskId?: string; requestTypeId?: string; raiseOnBehalfOf?: string; requestFieldValues?: { summary?: string; description?: string } }
        | undefined;
      if (!body?.serviceDeskId || !desks.some((d) => d.id === body.serviceDeskId)) return jsmError(404, 'The service desk does not exist.');
      if (body.requestTypeId !== '25') return jsmError(400, 'The request type you are trying to use does not exist.');
      if (!body.requestFieldValues?.summary) return jsmError(400, 'Summary: You must specify a summary of the issue.');
      const cloud = auth.startsWith('Basic ');
      if (body.raiseOnBehalfOf !== undefined) {
        const user = users.find((u) => (cloud ? u.accountId : u.name) === body.raiseOnBehalfOf);
        if (!user) return jsmError(400, `The user "${body.raiseOnBehalfOf}" does not exist.`);
        if (!user.customer) return jsmError(400, `The user "${body.raiseOnBehalfOf}" is not a customer of this service desk.`);
      }
      const desk = desks.find((d) => d.id === body.serviceDeskId)!;
      const issue: JiraIssue = {
        id: String(10_000 + ++seq),
        key: `${desk.projectKey}-${seq}`,
        summary: body.requestFieldValues.summary,
        description: body.requestFieldValues.description ?? '',
        reporter: body.raiseOnBehalfOf ?? (cloud ? JIRA_BOT_ACCOUNT : 'helpdesk-bot'),
        status: 'Waiting for support',
        statusCategory: 'NEW',
        requestTypeId: body.requestTypeId,
        serviceDeskId: desk.id,
        created: seq,
      };
      issues.push(issue);
      return { status: 201, body: requestView(issue) };
    }
    const commentOn = /^\/rest\/servicedeskapi\/request\/([^/]+)\/comment$/.exec(req.path);
    if (req.method === 'POST' && commentOn) {
      const id = decodeURIComponent(commentOn[1]!);
      const issue = issues.find((i) => i.key === id || i.id === id);
      if (!issue) return jsmError(404, 'Request does not exist or you do not have permission to see it.');
      const body = req.json as { body?: unknown; public?: unknown } | undefined;
      if (typeof body?.body !== 'string' || !body.body.trim()) return jsmError(400, 'The comment body can not be empty.');
      const author = auth.startsWith('Basic ') ? JIRA_BOT_ACCOUNT : 'helpdesk-bot';
      const c = { issueId: issue.id, body: body.body, public: body.public !== false, author };
      comments.push(c);
      return { status: 201, body: { id: String(comments.length), body: c.body, public: c.public, author: { accountId: author }, _links: { self: `/rest/servicedeskapi/request/${issue.id}/comment/${comments.length}` } } };
    }
    const one = /^\/rest\/servicedeskapi\/request\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && one) {
      const id = decodeURIComponent(one[1]!);
      const issue = issues.find((i) => i.key === id || i.id === id);
      return issue ? { status: 200, body: requestView(issue) } : jsmError(404, 'Request does not exist or you do not have permission to see it.');
    }
    const desk = /^\/rest\/servicedeskapi\/servicedesk\/([^/]+)$/.exec(req.path);
    if (req.method === 'GET' && desk) {
      const d = desks.find((x) => x.id === desk[1]);
      return d ? { status: 200, body: { ...d, _links: { self: `/rest/servicedeskapi/servicedesk/${d.id}` } } } : jsmError(404, 'The service desk does not exist.');
    }
    const cloudUsers = req.path === '/rest/api/3/user/search';
    if (req.method === 'GET' && (cloudUsers || req.path === '/rest/api/2/user/search')) {
      if (cloudUsers !== auth.startsWith('Basic ')) return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
      const q = (req.query.get(cloudUsers ? 'query' : 'username') ?? '').toLowerCase();
      if (!q) return { status: 400, body: { errorMessages: [cloudUsers ? 'One of query or accountId must be specified' : 'The username query parameter was not provided'], errors: {} } };
      const found = users.filter((u) => u.email.startsWith(q) || u.displayName.toLowerCase().startsWith(q) || (!cloudUsers && u.name.startsWith(q)));
      return {
        status: 200,
        body: found.map((u) =>
          cloudUsers
            ? { accountId: u.accountId, accountType: u.customer ? 'customer' : 'atlassian', displayName: u.displayName, active: true, ...(u.emailHidden ? {} : { emailAddress: u.email }) }
            : { key: `JIRAUSER${u.name}`, name: u.name, emailAddress: u.email, displayName: u.displayName, active: true },
        ),
      };
    }
    const cloudSearch = req.path === '/rest/api/2/search/jql';
    if (req.method === 'GET' && (cloudSearch || req.path === '/rest/api/2/search')) {
      // Each deployment answers only on its own endpoint: Cloud retired /search, DC has no /search/jql.
      if (cloudSearch !== auth.startsWith('Basic ')) return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
      const found = runJql(req.query.get('jql') ?? '');
      if (!found) return { status: 400, body: { errorMessages: ["Error in the JQL Query: unsupported in this test server"], errors: {} } };
      const fields = (req.query.get('fields') ?? '').split(',');
      const max = Number(req.query.get('maxResults') ?? 50);
      return {
        status: 200,
        body: {
          issues: found.slice(0, max).map((i) => ({
            id: i.id,
            key: i.key,
            fields: pick(
              {
                summary: i.summary,
                description: i.description,
                updated: '2024-05-02T11:03:10.000+0000',
                assignee: null,
                status: { name: i.status, statusCategory: { key: i.statusCategory === 'NEW' ? 'new' : i.statusCategory === 'DONE' ? 'done' : 'indeterminate' } },
              },
              fields,
            ),
          })),
          ...(cloudSearch ? { isLast: true } : { startAt: 0, maxResults: max, total: found.length }),
        },
      };
    }
    return { status: 404, body: { errorMessages: ['Not found'], errors: {} } };
  };

  return { server: new FakeServer(handler), issues, comments, desks, users };
}

function requestView(i: JiraIssue) {
  return {
    _expands: ['participant', 'status'],
    issueId: i.id,
    issueKey: i.key,
    requestTypeId: i.requestTypeId,
    serviceDeskId: i.serviceDeskId,
    createdDate: { iso8601: '2024-05-02T11:03:10+0000', epochMillis: 1714647790000 },
    reporter: { emailAddress: i.reporter },
    requestFieldValues: [
      { fieldId: 'summary', label: 'Summary', value: i.summary },
      { fieldId: 'description', label: 'Description', value: i.description },
    ],
    currentStatus: { status: i.status, statusCategory: i.statusCategory, statusDate: { iso8601: '2024-05-02T11:03:10+0000' } },
    _links: { web: `https://example.atlassian.net/servicedesk/customer/portal/4/${i.key}`, self: `/rest/servicedeskapi/request/${i.id}` },
  };
}

function pick(o: Record<string, unknown>, keys: string[]): Record<string, unknown> {
  return Object.fromEntries(Object.entries(o).filter(([k]) => keys.includes(k)));
}
