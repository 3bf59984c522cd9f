import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../config/env.js';
import { callJson } from './http.js';
import { readAllPages } from './paging.js';
import { DirectoryError, directoryDescriptor, type AccountState, type DirectoryConnector, type DirectoryUser } from './types.js';

/**
 * Microsoft Entra ID through Microsoft Graph with application permissions (client credentials):
 *   POST {authority}/{tenant}/oauth2/v2.0/token                       app token (scope {graph}/.default)
 *   GET  /users/{id|upn}?$select=id,mail,userPrincipalName            the user
 *   GET  /users/{id}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=999&$count=true
 *        (ConsistencyLevel: eventual, as Graph requires for an OData cast), then every @odata.nextLink:
 *        the user's groups, nested ones included, for ACTION_GROUPS and restricted articles
 *   POST /users/{id}/revokeSignInSessions                             sign out everywhere
 *   GET  /users/{id}/authentication/methods                           then DELETE the phone and
 *        Authenticator methods (phoneMethods/{mid}, microsoftAuthenticatorMethods/{mid}): the user
 *        registers MFA again at next sign-in; FIDO2 keys, Windows Hello and the password stay
 *   GET  /users/{id}?$select=accountEnabled,lastPasswordChangeDateTime,passwordPolicies   state
 * Entra has no API to lift a smart-lockout lock: unlocking goes through self-service password
 * reset (https://aka.ms/sspr), so `unlockAccount` is not offered with this provider.
 */

const configSchema = z
  .object({
    ENTRA_TENANT_ID: optionalString,
    ENTRA_CLIENT_ID: optionalString,
    ENTRA_CLIENT_SECRET: optionalString,
    /** Token authority; sovereign clouds change it. */
    ENTRA_AUTHORITY_URL: httpUrl,
    /** Graph endpoint with its version. */
    ENTRA_GRAPH_URL: httpUrl,
    /** Password lifetime of the tenant's policy, to tell when a password expires; 0: never expires. */
    ENTRA_PASSWORD_MAX_AGE_DAYS: intInRange(0, 0, 3650),
  })
  .superRefine((e, ctx) => {
    for (const name of ['ENTRA_TENANT_ID', 'ENTRA_CLIENT_ID', 'ENTRA_CLIENT_SECRET'] as const) {
      if (e[name] === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'required when DIRECTORY_PROVIDER=entra' });
    }
  })
  .transform((e) => ({
    tenantId: e.ENTRA_TENANT_ID as string,
    clientId: e.ENTRA_CLIENT_ID as string,
    clientSecret: e.ENTRA_CLIENT_SECRET as string,
    authorityUrl: e.ENTRA_AUTHORITY_URL ?? 'https://login.microsoftonline.com',
    graphUrl: e.ENTRA_GRAPH_URL ?? 'https://graph.microsoft.com/v1.0',
    passwordMaxAgeDays: e.ENTRA_PASSWORD_MAX_AGE_DAYS,
  }));

export type EntraConfig = z.output<typeof configSchema>;

const tokenSchema = z.object({ access_token: z.string().min(1), expires_in: z.coerce.number().optional() });
const userSchema = z.object({ id: z.string().min(1), mail: z.string().nullable().optional(), userPrincipalName: z.string().nullable().optional() });
const stateSchema = z.object({
  accountEnabled: z.boolean().nullable().optional(),
  lastPasswordChangeDateTime: z.string().nullable().optional(),
  passwordPolicies: z.string().nullable().optional(),
});
const methodsSchema = z.object({ value: z.array(z.object({ id: z.string(), '@odata.type': z.string() }).passthrough()) });
const groupsSchema = z.object({
  value: z.array(z.object({ displayName: z.string().nullable().optional() }).passthrough()),
  '@odata.nextLink': z.string().url().optional(),
});
/** Graph's largest page for directory object lists. */
const GROUPS_PAGE_SIZE = 999;

/** Methods removed for an MFA re-registration, with the collection each one is deleted from. */
const REMOVABLE: Record<string, string> = {
  '#microsoft.graph.phoneAuthenticationMethod': 'phoneMethods',
  '#microsoft.graph.microsoftAuthenticatorAuthenticationMethod': 'microsoftAuthenticatorMethods',
};

export const entraDirectory = directoryDescriptor({
  name: 'entra',
  configSchema,
  create(config: EntraConfig, deps): DirectoryConnector {
    const http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, provider: 'Microsoft Graph' };
    let token: { value: string; until: number } | undefined;

    async function accessToken(): Promise<string> {
      if (token && token.until > Date.now()) return token.value;
      const doFetch = deps.fetch ?? fetch;
      const form = new URLSearchParams({
        client_id: config.clientId,
        client_secret: config.clientSecret,
        scope: `${new URL(config.graphUrl).origin}/.default`,
        grant_type: 'client_credentials',
      });
      const tokenUrl = `${config.authorityUrl}/${encodeURIComponent(config.tenantId)}/oauth2/v2.0/token`;
      let res: Response;
      try {
        res = await doFetch(tokenUrl, { method: 'POST', headers: { 'content-type': 'application/x-www-form-urlencoded' }, body: form, signal: AbortSignal.timeout(deps.timeoutMs) });
      } catch (err) {
        throw new DirectoryError('unavailable', `Entra token endpoint unreachable: ${err instanceof Error ? err.message : String(err)}`);
      }
      const body = (await res.json().catch(() => undefined)) as Record<string, unknown> | undefined;
      const parsed = tokenSchema.safeParse(body);
      if (!res.ok || !parsed.success) {
        const code = typeof body?.error === 'string' ? body.error : String(res.status);
        throw new DirectoryError(res.status >= 500 ? 'unavailable' : 'auth', `Entra token request refused: ${code}`);
      }
      // Renewed a minute early so a call never carries a token about to expire.
      token = { value: parsed.data.access_token, until: Date.now() + Math.max(0, (parsed.data.expires_in ?? 3600) - 60) * 1000 };
      return token.value;
    }

    const graph = async (method: 'GET' | 'POST' | 'DELETE', path: string): Promise<unknown> =>
      callJson({ method, url: `${config.graphUrl}${path}`, headers: { authorization: `Bearer ${await accessToken()}` } }, http);
    const user = (id: string) => `/users/${encodeURIComponent(id)}`;

    return {
      name: 'entra',
      supports: ['resetMfa', 'revokeSessions', 'passwordStatus'],
      async findUser(identity) {
        const key = identity.objectId ?? identity.email;
        if (!key) throw new DirectoryError('not_found', 'no verified object id or e-mail to look the user up in Entra ID');
        const parsed = userSchema.safeParse(await graph('GET', `${user(key)}?$select=id,mail,userPrincipalName`));
        if (!parsed.success) throw new DirectoryError('rejected', 'Graph returned a user without an id');
        const email = parsed.data.mail ?? parsed.data.userPrincipalName ?? identity.email;
        return { id: parsed.data.id, ...(email ? { email } : {}) };
      },
      async groupsOf(u: DirectoryUser) {
        const first = `${config.graphUrl}${user(u.id)}/transitiveMemberOf/microsoft.graph.group?$select=id,displayName&$top=${GROUPS_PAGE_SIZE}&$count=true`;
        const groups = await readAllPages(
          first,
          new URL(config.graphUrl).origin,
          async (url) => {
            // The nextLink is used as given: it carries Graph's $skiptoken and the query.
            const body = await callJson({ method: 'GET', url, headers: { authorization: `Bearer ${await accessToken()}`, ConsistencyLevel: 'eventual' } }, http);
            const parsed = groupsSchema.safeParse(body);
            if (!parsed.success) throw new DirectoryError('rejected', 'Graph returned an unexpected page of groups');
            return { items: parsed.data.value, ...(parsed.data['@odata.nextLink'] ? { next: parsed.data['@odata.nextLink'] } : {}) };
          },
          { provider: 'Microsoft Graph', ...(deps.log ? { log: deps.log } : {}) },
        );
        return groups.flatMap((g) => (g.displayName ? [g.displayName] : []));
      },
      async run(action, u) {
        switch (action) {
          case 'revokeSessions':
            await graph('POST', `${user(u.id)}/revokeSignInSessions`);
            return { detail: 'Entra ID: sign-in sessions revoked (revokeSignInSessions)' };
          case 'resetMfa': {
            const parsed = methodsSchema.safeParse(await graph('GET', `${user(u.id)}/authentication/methods`));
            if (!parsed.success) throw new DirectoryError('rejected', 'Graph returned an unexpected list of authentication methods');
            const removable = parsed.data.value.filter((m) => REMOVABLE[m['@odata.type']]);
            for (const m of removable) {
              await graph('DELETE', `${user(u.id)}/authentication/${REMOVABLE[m['@odata.type']]}/${encodeURIComponent(m.id)}`);
            }
            return { detail: `Entra ID: ${removable.length} phone/Authenticator method(s) removed; the user registers MFA again at next sign-in` };
          }
          case 'passwordStatus': {
            const parsed = stateSchema.safeParse(await graph('GET', `${user(u.id)}?$select=accountEnabled,lastPasswordChangeDateTime,passwordPolicies`));
            if (!parsed.success) throw new DirectoryError('rejected', 'Graph returned an unexpected user');
            const s = parsed.data;
            const neverExpires = (s.passwordPolicies ?? '').includes('DisablePasswordExpiration') || config.passwordMaxAgeDays === 0;
            const changed = s.lastPasswordChangeDateTime ? Date.parse(s.lastPasswordChangeDateTime) : NaN;
            const expiresAt = !neverExpires && Number.isFinite(changed) ? new Date(changed + config.passwordMaxAgeDays * 86_400_000) : undefined;
            const state: AccountState = {
              disabled: s.accountEnabled === false,
              ...(expiresAt ? { passwordExpired: expiresAt.getTime() <= Date.now(), passwordExpiresAt: expiresAt.toISOString() } : { passwordExpired: false }),
              ...(s.lastPasswordChangeDateTime ? { passwordLastSet: s.lastPasswordChangeDateTime } : {}),
            };
            return { detail: `Entra ID: accountEnabled=${String(s.accountEnabled)}, passwordPolicies=${s.passwordPolicies ?? 'None'}`, state };
          }
          default:
            throw new DirectoryError('unsupported', `Entra ID has no API for ${action}: self-service password reset (https://aka.ms/sspr) does it`);
        }
      },
    };
  },
});
