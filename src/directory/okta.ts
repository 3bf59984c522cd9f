import { z } from 'zod';
import { httpUrl, optionalString } from '../config/env.js';
import { callJson, callJsonWithHeaders } from './http.js';
import { nextLink } from '../knowledge-sources/http.js';
import { readAllPages } from './paging.js';
import { DirectoryError, directoryDescriptor, type AccountState, type DirectoryConnector, type DirectoryUser } from './types.js';

/**
 * Okta through its Users API with an API token (`Authorization: SSWS <token>`):
 *   GET    /api/v1/users/{login}                          the user, by the verified e-mail (login)
 *   GET    /api/v1/users/{id}/groups                      group names, every page (Link rel="next")
 *   POST   /api/v1/users/{id}/lifecycle/unlock            unlock
 *   POST   /api/v1/users/{id}/lifecycle/reset_factors     MFA re-registration
 *   DELETE /api/v1/users/{id}/sessions?oauthTokens=true   sign out everywhere
 *   POST   /api/v1/users/{id}/lifecycle/reset_password?sendEmail=true   reset link by e-mail
 * https://developer.okta.com/docs/api/openapi/okta-management/management/tag/UserLifecycle/
 */

const required = (name: string) => (v: string | undefined, ctx: z.RefinementCtx) => {
  if (v === undefined) ctx.addIssue({ code: z.ZodIssueCode.custom, path: [name], message: 'required when DIRECTORY_PROVIDER=okta' });
};

const configSchema = z
  .object({
    /** e.g. https://example.okta.com */
    OKTA_ORG_URL: httpUrl,
    /** API token of a custom admin role limited to the actions used (see README "Actions"). */
    OKTA_API_TOKEN: optionalString,
  })
  .superRefine((e, ctx) => {
    required('OKTA_ORG_URL')(e.OKTA_ORG_URL, ctx);
    required('OKTA_API_TOKEN')(e.OKTA_API_TOKEN, ctx);
  })
  .transform((e) => ({ orgUrl: e.OKTA_ORG_URL as string, apiToken: e.OKTA_API_TOKEN as string }));

export type OktaConfig = z.output<typeof configSchema>;

const userSchema = z.object({
  id: z.string().min(1),
  status: z.string().optional(),
  passwordChanged: z.string().nullable().optional(),
  profile: z.object({ login: z.string().optional(), email: z.string().optional() }).passthrough().optional(),
});
const groupsSchema = z.array(z.object({ profile: z.object({ name: z.string() }).passthrough() }).passthrough());

export const oktaDirectory = directoryDescriptor({
  name: 'okta',
  configSchema,
  create(config: OktaConfig, deps): DirectoryConnector {
    const http = { fetch: deps.fetch, timeoutMs: deps.timeoutMs, provider: 'Okta' };
    const headers = { authorization: `SSWS ${config.apiToken}` };
    const url = (path: string) => `${config.orgUrl}${path}`;
    const user = (id: string) => `/api/v1/users/${encodeURIComponent(id)}`;
    const post = (path: string) => callJson({ method: 'POST', url: url(path), headers }, http);

    const get = async (id: string) => {
      const parsed = userSchema.safeParse(await callJson({ method: 'GET', url: url(user(id)), headers }, http));
      if (!parsed.success) throw new DirectoryError('rejected', 'Okta returned a user without an id');
      return parsed.data;
    };

    return {
      name: 'okta',
      supports: ['unlockAccount', 'resetMfa', 'revokeSessions', 'passwordStatus', 'resetPassword'],
      async findUser(identity) {
        // Okta does not know Entra object ids: the verified e-mail is the login.
        if (!identity.email) throw new DirectoryError('not_found', 'no verified e-mail to look the user up in Okta');
        const u = await get(identity.email);
        const email = u.profile?.email ?? identity.email;
        return { id: u.id, email };
      },
      async groupsOf(u: DirectoryUser) {
        const groups = await readAllPages(
          url(`${user(u.id)}/groups`),
          new URL(config.orgUrl).origin,
          async (pageUrl) => {
            const res = await callJsonWithHeaders({ method: 'GET', url: pageUrl, headers }, http);
            const parsed = groupsSchema.safeParse(res.body);
            if (!parsed.success) throw new DirectoryError('rejected', 'Okta returned an unexpected page of groups');
            const next = nextLink(res.headers.get('link'));
            return { items: parsed.data, ...(next ? { next: new URL(next, config.orgUrl).href } : {}) };
          },
          { provider: 'Okta', ...(deps.log ? { log: deps.log } : {}) },
        );
        return groups.map((g) => g.profile.name);
      },
      async run(action, u) {
        switch (action) {
          case 'unlockAccount':
            await post(`${user(u.id)}/lifecycle/unlock`);
            return { detail: 'Okta: user unlocked (lifecycle/unlock)' };
          case 'resetMfa':
            await post(`${user(u.id)}/lifecycle/reset_factors`);
            return { detail: 'Okta: all factors reset (lifecycle/reset_factors); the user enrols again at next sign-in' };
          case 'revokeSessions':
            await callJson({ method: 'DELETE', url: url(`${user(u.id)}/sessions?oauthTokens=true`), headers }, http);
            return { detail: 'Okta: all sessions and OAuth tokens revoked' };
          case 'resetPassword':
            await post(`${user(u.id)}/lifecycle/reset_password?sendEmail=true`);
            return { detail: 'Okta: reset link sent by e-mail (lifecycle/reset_password?sendEmail=true)', notified: true };
          case 'passwordStatus': {
            const full = await get(u.id);
            const state: AccountState = {
              locked: full.status === 'LOCKED_OUT',
              disabled: full.status === 'SUSPENDED' || full.status === 'DEPROVISIONED',
              passwordExpired: full.status === 'PASSWORD_EXPIRED',
              ...(full.passwordChanged ? { passwordLastSet: full.passwordChanged } : {}),
            };
            return { detail: `Okta: status ${full.status ?? 'unknown'}`, state };
          }
          default:
            throw new DirectoryError('unsupported', `Okta connector does not do ${String(action)}`);
        }
      },
    };
  },
});
