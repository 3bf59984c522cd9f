import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { form, postForm, signIn, startConsoleApp, type ConsoleTestApp, type Session } from './helpers.js';

/**
 * An article edited in the console changes the knowledge: on a knowledge base that needs its own
 * (zero-label) calibration, the gate is re-fitted to the edited knowledge in the background, as
 * after an import, instead of serving a model fitted to the knowledge as it was until the next start.
 */

const TOPICS = [
  ['Printer prints blank pages', 'The toner cartridge is empty or its seal is still on. Remove the seal and shake the cartridge.'],
  ['Laptop battery drains overnight', 'Sleep is set to hybrid. Choose hibernate in the power options.'],
  ['Projector shows no picture', 'Press the input button until HDMI is selected, then check the cable.'],
  ['Mouse pointer jumps', 'Clean the sensor and use a mouse pad on glossy desks.'],
  ['Headset microphone is muted', 'Switch the mute slider on the cable and select the headset as the input device.'],
  ['Scanner sends to the wrong folder', 'Edit the scan profile and pick your own folder as destination.'],
  ['Second screen stays black', 'Press Windows+P and choose Extend; reseat the dock cable.'],
  ['Keyboard types wrong characters', 'The keyboard layout changed: press Alt+Shift or remove the extra layout.'],
  ['Webcam not detected in meetings', 'Close other apps using the camera and allow camera access in privacy settings.'],
  ['Badge reader does not open the door', 'Badges expire after 90 days without use; ask reception to reactivate yours.'],
  ['Shared mailbox missing in mail', 'Ask for access to the mailbox, then restart the mail client so it appears.'],
  ['Calendar invitations arrive late', 'The calendar syncs every 30 minutes on mobile; pull down to refresh.'],
] as const;

describe('the gate after a console edit', () => {
  let server: ConsoleTestApp;
  let session: Session;

  beforeAll(async () => {
    server = await startConsoleApp({ RATE_LIMIT_BURST: '0' }, (kbDir) => {
      // Help pages as an import writes them: id and title, no questions, summary or tags.
      const dir = join(kbDir, 'articles', 'imported', 'intranet');
      mkdirSync(dir, { recursive: true });
      TOPICS.forEach(([title, body], i) => writeFileSync(join(dir, `intranet-${i}.md`), `---\nid: intranet-${i}\ntitle: ${title}\n---\n\n## Resolution\n\n${body}\n`));
    });
    session = await signIn(server.url);
  }, 300_000);
  afterAll(async () => {
    await server?.stop();
  });

  const calibration = () => server.app.knowledge.status();

  it('re-fits the zero-label calibration to the edited knowledge in the background', { timeout: 300_000 }, async () => {
    const before = calibration();
    expect(before.calibration).toMatchObject({ source: 'zero-label', knowledgeHash: before.knowledgeHash });

    const page = await (await fetch(`${server.url}/admin/knowledge/edit/intranet-3`, { headers: { cookie: session.cookie } })).text();
    const baseHash = /name="base_hash" value="([0-9a-f]{64})"/.exec(page)?.[1] ?? '';
    const res = await postForm(server.url, session, '/admin/knowledge/save', form(session, {
      existing_id: 'intranet-3',
      base_hash: baseHash,
      lang: 'en',
      title: 'Mouse pointer jumps or freezes',
      body: '## Resolution\n\nClean the sensor, use a mouse pad on glossy desks, and replace the battery of a wireless mouse.',
    }));
    expect(res.status).toBe(303);
    const edited = calibration();
    expect(edited.knowledgeHash).not.toBe(before.knowledgeHash);

    // The new knowledge gets its own calibration, computed in the background.
    const deadline = Date.now() + 120_000;
    while (calibration().calibration?.knowledgeHash !== edited.knowledgeHash && Date.now() < deadline) await new Promise((r) => setTimeout(r, 200));
    expect(calibration().calibration).toMatchObject({ source: 'zero-label', knowledgeHash: edited.knowledgeHash });
    const ready = (await (await fetch(`${server.url}/readyz`)).json()) as { retrieval?: { calibration?: { knowledgeHash?: string } } };
    expect(ready.retrieval?.calibration?.knowledgeHash).toBe(edited.knowledgeHash);
  });
});
