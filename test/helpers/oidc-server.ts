import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import Provider from 'oidc-provider';

/**
 * A real OpenID Connect provider for tests: panva's oidc-provider (the certified implementation
 * behind many production servers) on 127.0.0.1, with its development login and consent pages
 * (any login, any password). Accounts are the `people` given here: the login typed is the subject.
 */

export interface Person {
  name: string;
  email: string;
  /** Sent as the `groups` claim (with the profile scope), as Entra ID, Okta and Keycloak can. */
  groups?: string[];
}

export interface OidcServer {
  issuer: string;
  clientId: string;
  clientSecret: string;
  /** Registers the relying party's callback once its address is known (the provider is created then). */
  register(redirectUri: string): void;
  close(): Promise<void>;
}

export async function startOidcServer(people: Record<string, Person>): Promise<OidcServer> {
  let handler: ((req: never, res: never) => void) | undefined;
  const server: Server = createServer((req, res) => {
    if (!handler) {
      res.writeHead(503).end('provider not configured yet');
      return;
    }
    (handler as unknown as (a: typeof req, b: typeof res) => void)(req, res);
  });
  await new Promise<void>((done) => server.listen(0, '127.0.0.1', done));
  const issuer = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const clientId = 'helpdesk-web-chat';
  const clientSecret = 'a-test-client-secret-that-is-long-enough-0123456789';
  return {
    issuer,
    clientId,
    clientSecret,
    register(redirectUri) {
      const provider = new Provider(issuer, {
        clients: [
          {
            client_id: clientId,
            client_secret: clientSecret,
            redirect_uris: [redirectUri],
            response_types: ['code'],
            grant_types: ['authorization_code'],
            token_endpoint_auth_method: 'client_secret_basic',
          },
        ],
        async findAccount(_ctx, sub) {
          const person = people[sub];
          if (!person) return undefined;
          return { accountId: sub, claims: async () => ({ sub, name: person.name, email: person.email, email_verified: true, ...(person.groups ? { groups: person.groups } : {}) }) };
        },
        claims: { openid: ['sub'], profile: ['name', 'groups'], email: ['email', 'email_verified'] },
        // As Entra ID, Okta, Keycloak and Google do: profile claims in the ID token of a code flow too.
        conformIdTokenClaims: false,
        pkce: { required: () => true },
        cookies: { keys: ['oidc-test-cookie-key-0123456789abcdef'] },
        features: { devInteractions: { enabled: true } },
      });
      handler = provider.callback() as never;
    },
    close: () =>
      new Promise<void>((done) => {
        server.close(() => done());
        server.closeAllConnections();
      }),
  };
}
