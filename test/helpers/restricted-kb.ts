import { cpSync, mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { REPO_KNOWLEDGE } from '../server/start.js';

/**
 * The repository's knowledge plus one article restricted to a group, as an import writes it
 * (`audience: Network admins`): who asks its question decides whether it may be answered.
 */
export const RESTRICTED = {
  id: 'vpn-gateway-certificate-rotation',
  audience: 'Network admins',
  title: 'Rotate the certificate of the VPN gateway appliance',
  question: 'how do I rotate the certificate of the VPN gateway appliance',
};

export function restrictedKb(): { kbDir: string; close(): void } {
  const root = mkdtempSync(join(tmpdir(), 'restricted-kb-'));
  const kbDir = join(root, 'knowledge');
  cpSync(REPO_KNOWLEDGE, kbDir, { recursive: true });
  writeFileSync(
    join(kbDir, 'articles', 'en', `${RESTRICTED.id}.md`),
    `---
id: ${RESTRICTED.id}
title: ${RESTRICTED.title}
lang: en
category: network
audience: ${RESTRICTED.audience}
questions:
  - ${RESTRICTED.question}
  - the VPN gateway appliance certificate expires next week
  - renew the TLS certificate on the VPN gateway appliance
---

The VPN gateway appliance presents a TLS certificate to every client. Rotate it before it expires.

## Steps
1. Request a new certificate for the gateway appliance from the internal certificate authority.
2. Upload the certificate and its chain to the appliance's administration console.
3. Switch the gateway listener to the new certificate during the maintenance window.
4. Check that a client connects and shows the new certificate's expiry date.
`,
  );
  return { kbDir, close: () => rmSync(root, { recursive: true, force: true }) };
}

/** Whether replies (any channel's rendering) show the restricted article: its id or its title. */
export function mentions(replies: unknown, articleId: string): boolean {
  const json = JSON.stringify(replies);
  return json.includes(articleId) || json.includes(RESTRICTED.title);
}
