import { randomUUID } from 'node:crypto';
import { userInfo } from 'node:os';
import { resolve } from 'node:path';
import { createInterface } from 'node:readline';
import type { Readable, Writable } from 'node:stream';
import type { Command } from 'commander';
import { loadConfig, loadDotEnv } from '../../config/index.js';
import type { Choice, ConversationAddress, OutboundMessage, UserRef } from '../../engine/contract.js';
import { createEngine, messageToText, type DialogueEngine, type ProactiveMessage } from '../../engine/dialogue/index.js';
import { loadFlows } from '../../engine/flows/load.js';
import { translator, type Translator } from '../../engine/i18n.js';
import { formatLintIssue } from '../../engine/lint-issue.js';
import { openStorage } from '../../storage/factory.js';
import { createTicketOutbox, createTicketProvider } from '../../tickets/factory.js';
import { createLanguageAssistant } from '../../llm/factory.js';
import { openKnowledge, stderrLog } from '../knowledge.js';

/**
 * `helpdesk chat`: the conversation engine in a terminal, on the real knowledge service, SQLite
 * store and ticket outbox. Replies are printed as text; buttons are numbered and picked by typing
 * the number. The conversation is durable: quit and run it again to continue where you were.
 */

const QUIT = new Set(['/quit', '/exit', '/q']);
/** How often idle guided fixes are checked for the inactivity follow-up. */
const SWEEP_EVERY_MS = 30_000;

export interface ReplOptions {
  engine: DialogueEngine;
  address: ConversationAddress;
  user: UserRef;
  input: Readable;
  output: Writable;
  t?: Translator;
  /** Proactive messages (ticket number, timeouts) arrive here while the REPL runs. */
  onProactive?: (deliver: (p: ProactiveMessage) => void) => void;
  /** Runs after the input ends, before the REPL resolves (e.g. deliver pending tickets). */
  beforeExit?: () => Promise<void>;
}

/** Reads lines, sends them to the engine (a bare number presses that button of the latest buttons), prints the replies. */
export async function runRepl(options: ReplOptions): Promise<void> {
  const { engine, address, user, input, output } = options;
  const t = options.t ?? translator();
  let buttons: Choice[] = [];
  let seq = 0;

  const print = (messages: OutboundMessage[]) => {
    for (const m of messages) {
      output.write(`\n${messageToText(m, t, true)}\n`);
      const withButtons = m.parts.flatMap((p) => (p.kind === 'choices' ? p.choices : []));
      if (withButtons.length) buttons = withButtons;
    }
    output.write('\n');
  };
  options.onProactive?.((p) => {
    if (p.address.channel === address.channel && p.address.conversationId === address.conversationId) print([p.message]);
  });

  const lines = createInterface({ input, terminal: false });
  output.write('> ');
  for await (const raw of lines) {
    const line = raw.trim();
    if (QUIT.has(line)) break;
    if (line) {
      const pick = /^\d{1,2}$/.test(line) ? buttons[Number(line) - 1] : undefined;
      const messageId = `cli-${Date.now()}-${++seq}`;
      const event = pick ? { address, user, messageId, action: { payload: pick.value } } : { address, user, messageId, text: line };
      print(await engine.handle(event));
    }
    output.write('> ');
  }
  await options.beforeExit?.();
}

interface ChatCliOptions {
  kb?: string;
  data?: string;
  user?: string;
  name?: string;
  email?: string;
  lang?: string;
  new?: boolean;
}

export function registerChat(program: Command): void {
  program
    .command('chat')
    .description('Talk to the bot in the terminal: answers, guided fixes, tickets (type a number to press a button, /quit to leave)')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder: database, cache and index (default DATA_DIR or ./data)')
    .option('--user <id>', 'user id (default: your login name)')
    .option('--name <name>', 'display name')
    .option('--email <email>', 'e-mail address, used for "my tickets"')
    .option('--lang <lang>', 'your locale, e.g. fr-FR (the bot replies in the language you write in)')
    .option('--new', 'start a new conversation instead of resuming the last one')
    .action(async (options: ChatCliOptions) => {
      loadDotEnv();
      const config = loadConfig();
      const kbDir = options.kb ?? config.core.kbDir;
      const dataDir = resolve(options.data ?? config.core.dataDir);

      const { catalog, issues } = loadFlows(kbDir);
      for (const issue of issues) stderrLog.warn(formatLintIssue(issue));
      const storage = await openStorage({ dataDir, ...(config.core.databaseUrl ? { databaseUrl: config.core.databaseUrl } : {}) });
      const knowledge = await openKnowledge({ kb: kbDir, data: dataDir }, { embeddingCache: () => storage.embeddingCache() });
      const tickets = createTicketProvider(config.tickets, { storage });
      const outbox = createTicketOutbox(config.tickets, tickets, { storage });
      const llm = createLanguageAssistant(config.llm, { categories: () => knowledge.service.categories() });
      const engine = createEngine({
        knowledge: knowledge.service,
        store: storage.conversations,
        escalation: outbox,
        tickets,
        flows: catalog,
        config: config.dialogue,
        ...(llm ? { llm } : {}),
      });

      const login = userInfo().username;
      const user: UserRef = {
        id: options.user ?? login,
        name: options.name ?? login,
        ...(options.email ? { email: options.email } : {}),
        ...(options.lang ? { locale: options.lang } : {}),
      };
      const address: ConversationAddress = { channel: 'cli', conversationId: options.new ? `cli-${randomUUID()}` : `cli-${user.id}` };

      let deliver: (p: ProactiveMessage) => void = () => {};
      const announce = (p: ProactiveMessage | undefined) => p && deliver(p);
      outbox.onDelivered(async ({ item, ticket }) => announce(await engine.ticketUpdate({ packet: item.packet, ticket })));
      outbox.onDead(async ({ item }) => announce(await engine.ticketUpdate({ packet: item.packet, failed: true })));
      const sweeper = setInterval(() => {
        engine.sweep().then((sent) => sent.forEach(announce), (err: unknown) => stderrLog.warn(String(err)));
      }, SWEEP_EVERY_MS);
      sweeper.unref();
      outbox.start();

      process.stdout.write(`helpdesk chat: ${catalog.all().length} guided fixes, database ${storage.location}. Type /quit to leave.\n`);
      try {
        await runRepl({
          engine,
          address,
          user,
          input: process.stdin,
          output: process.stdout,
          onProactive: (d) => {
            deliver = d;
          },
          // Piped input ends at once: deliver the tickets opened in this session so their numbers are shown.
          beforeExit: async () => {
            await outbox.runOnce();
          },
        });
      } finally {
        clearInterval(sweeper);
        await outbox.stop();
        await knowledge.close();
        await storage.close();
      }
    });
}
