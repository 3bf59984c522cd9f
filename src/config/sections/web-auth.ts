import { BlockList, isIP } from 'node:net';
import { z } from 'zod';
import { httpUrl, intInRange, optionalString } from '../env.js';

/**
 * Who is talking in the web chat. The server decides, never the page: an anonymous session it
 * issues itself (the demo default), an OpenID Connect sign-in, or the headers of a trusted reverse
 * proxy that already signed the user in. Documented in .env.example ("Web chat identity").
 */

export const WEB_AUTH_MODES = ['anonymous', 'oidc', 'proxy'] as const;
export type WebAuthMode = (typeof WEB_AUTH_MODES)[number];

const HEADER = /^[A-Za-z0-9-]{1,64}$/;

const header = (fallback: string) =>
  optionalString.transform((v, ctx) => {
    const name = v ?? fallback;
    if (!HEADER.test(name)) {
      ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected an HTTP header name, got "${name}"` });
      return z.NEVER;
    }
    return name.toLowerCase();
  });

/** Comma-separated IP addresses or CIDR ranges, e.g. `10.0.0.5, 10.1.0.0/16, ::1`. */
export function parseAddressList(v: string): { list: BlockList; entries: string[] } | string {
  const list = new BlockList();
  const entries = v.split(',').map((s) => s.trim()).filter(Boolean);
  for (const entry of entries) {
    const [ip, bits, extra] = entry.split('/');
    const family = ip ? isIP(ip) : 0;
    if (!ip || family === 0 || extra !== undefined) return `"${entry}" is not an IP address or CIDR range`;
    const type = family === 6 ? 'ipv6' : 'ipv4';
    if (bits === undefined) list.addAddress(ip, type);
    else {
      const prefix = Number(bits);
      if (!Number.isInteger(prefix) || prefix < 0 || prefix > (family === 6 ? 128 : 32)) return `"${entry}" has an invalid prefix length`;
      list.addSubnet(ip, prefix, type);
    }
  }
  return { list, entries };
}

/** True when the socket peer is in the list (IPv4-mapped IPv6 peers count as IPv4). */
export function addressIn(list: BlockList, address: string | undefined): boolean {
  if (!address) return false;
  const plain = address.startsWith('::ffff:') && isIP(address.slice(7)) === 4 ? address.slice(7) : address;
  const family = isIP(plain);
  return family !== 0 && list.check(plain, family === 6 ? 'ipv6' : 'ipv4');
}

export const webAuthSchema = z
  .object({
    /** anonymous (default), oidc or proxy. */
    WEB_AUTH: z
      .string()
      .optional()
      .transform((v) => (v?.trim() ? v.trim().toLowerCase() : 'anonymous'))
      .pipe(z.enum(WEB_AUTH_MODES, { errorMap: () => ({ message: `expected one of ${WEB_AUTH_MODES.join(', ')}` }) })),
    /** Signs the web chat's session cookies; generated and kept in DATA_DIR when unset. */
    WEB_SESSION_SECRET: optionalString.superRefine((v, ctx) => {
      if (v !== undefined && v.length < 32) ctx.addIssue({ code: z.ZodIssueCode.custom, message: 'must be at least 32 characters (e.g. `openssl rand -hex 32`)' });
    }),
    WEB_SESSION_HOURS: intInRange(24 * 7, 1, 24 * 365),
    OIDC_ISSUER: httpUrl,
    OIDC_CLIENT_ID: optionalString,
    OIDC_CLIENT_SECRET: optionalString,
    OIDC_SCOPES: optionalString,
    /** Where the provider sends the browser back; defaults to PUBLIC_URL (or the request's host) + /chat/auth/callback. */
    OIDC_REDIRECT_URL: httpUrl,
    WEB_AUTH_PROXY_ADDRESSES: optionalString,
    WEB_AUTH_PROXY_USER_HEADER: header('X-Forwarded-User'),
    WEB_AUTH_PROXY_EMAIL_HEADER: header('X-Forwarded-Email'),
    WEB_AUTH_PROXY_NAME_HEADER: header('X-Forwarded-Preferred-Username'),
    /**
     * The proxy's header carrying the user's groups, comma-separated (oauth2-proxy: X-Forwarded-Groups).
     * Unset: the proxy says nothing about groups (a proxy that does not strip a client's own header must not be named here).
     */
    WEB_AUTH_PROXY_GROUPS_HEADER: optionalString.transform((v, ctx) => {
      if (v === undefined) return undefined;
      if (!HEADER.test(v)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected an HTTP header name, got "${v}"` });
        return z.NEVER;
      }
      return v.toLowerCase();
    }),
    /** The ID token / UserInfo claim listing the user's groups (Entra ID and Okta: groups; Keycloak: groups with its mapper). */
    OIDC_GROUPS_CLAIM: optionalString.transform((v, ctx) => {
      const name = v ?? 'groups';
      if (!/^[A-Za-z0-9_:/.-]{1,128}$/.test(name)) {
        ctx.addIssue({ code: z.ZodIssueCode.custom, message: `expected a claim name, got "${name}"` });
        return z.NEVER;
      }
      return name;
    }),
  })
  .superRefine((e, ctx) => {
    const issue = (path: string, message: string): void => ctx.addIssue({ code: z.ZodIssueCode.custom, path: [path], message });
    if (e.WEB_AUTH === 'oidc') {
      if (!e.OIDC_ISSUER) issue('OIDC_ISSUER', 'required when WEB_AUTH=oidc (the provider\'s issuer URL)');
      if (!e.OIDC_CLIENT_ID) issue('OIDC_CLIENT_ID', 'required when WEB_AUTH=oidc');
      if (e.OIDC_SCOPES && !e.OIDC_SCOPES.split(/\s+/).includes('openid')) issue('OIDC_SCOPES', 'must include openid (e.g. "openid profile email")');
    }
    if (e.WEB_AUTH === 'proxy') {
      if (!e.WEB_AUTH_PROXY_ADDRESSES) issue('WEB_AUTH_PROXY_ADDRESSES', 'required when WEB_AUTH=proxy: the addresses of the reverse proxy whose headers are trusted');
    }
    if (e.WEB_AUTH_PROXY_ADDRESSES) {
      const parsed = parseAddressList(e.WEB_AUTH_PROXY_ADDRESSES);
      if (typeof parsed === 'string') issue('WEB_AUTH_PROXY_ADDRESSES', parsed);
    }
  })
  .transform((e) => ({
    mode: e.WEB_AUTH,
    sessionSecret: e.WEB_SESSION_SECRET,
    sessionHours: e.WEB_SESSION_HOURS,
    oidc:
      e.WEB_AUTH === 'oidc' && e.OIDC_ISSUER && e.OIDC_CLIENT_ID
        ? {
            issuer: e.OIDC_ISSUER,
            clientId: e.OIDC_CLIENT_ID,
            clientSecret: e.OIDC_CLIENT_SECRET,
            scopes: e.OIDC_SCOPES ?? 'openid profile email',
            redirectUrl: e.OIDC_REDIRECT_URL,
            groupsClaim: e.OIDC_GROUPS_CLAIM,
          }
        : undefined,
    proxy:
      e.WEB_AUTH === 'proxy' && e.WEB_AUTH_PROXY_ADDRESSES
        ? {
            addresses: e.WEB_AUTH_PROXY_ADDRESSES,
            userHeader: e.WEB_AUTH_PROXY_USER_HEADER,
            emailHeader: e.WEB_AUTH_PROXY_EMAIL_HEADER,
            nameHeader: e.WEB_AUTH_PROXY_NAME_HEADER,
            groupsHeader: e.WEB_AUTH_PROXY_GROUPS_HEADER,
          }
        : undefined,
  }));

export type WebAuthConfig = z.output<typeof webAuthSchema>;
export type OidcConfig = NonNullable<WebAuthConfig['oidc']>;
export type ProxyAuthConfig = NonNullable<WebAuthConfig['proxy']>;
