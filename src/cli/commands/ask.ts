import type { Command } from 'commander';
import { isLang } from '../../engine/lang.js';
import type { GateDecision } from '../../engine/ports/knowledge.js';
import type { HybridKnowledgeService } from '../../engine/retrieval/service.js';
import { openKnowledge, type KnowledgeCliOptions } from '../knowledge.js';

/** `helpdesk ask "text"`: the decision the bot would take, through the same code. */

interface AskOptions extends KnowledgeCliOptions {
  json?: boolean;
  lang?: string;
}

function printDecision(d: GateDecision, service: HybridKnowledgeService): void {
  console.log(`${d.kind.toUpperCase()}  confidence ${d.confidence.toFixed(2)}  (${d.queryLang})`);
  console.log(d.explanation);
  if (d.kind === 'answer' && d.chosen) {
    const article = service.article(d.chosen.articleId, d.queryLang);
    console.log(`\n${article?.title ?? d.chosen.title}  [${d.chosen.articleId}]`);
    if (article?.summary) console.log(article.summary);
    article?.steps.forEach((s, i) => console.log(`  ${i + 1}. ${s}`));
  }
  if (d.kind === 'clarify' && d.options) {
    console.log('\nDid you mean:');
    d.options.forEach((o, i) => console.log(`  ${i + 1}. ${o.title}  [${o.articleId}]`));
  }
  console.log('\nCandidates:');
  for (const c of d.candidates.slice(0, 5)) console.log(`  ${c.score.toFixed(3)}  ${c.articleId}  ${c.title}`);
}

export function registerAsk(program: Command): void {
  program
    .command('ask')
    .description('Ask a question and show the decision (answer, clarify or escalate) with its explanation')
    .argument('<text>', 'the question, as a user would type it')
    .option('--kb <dir>', 'knowledge folder (default KB_DIR or ./knowledge)')
    .option('--data <dir>', 'data folder for the cache and index (default DATA_DIR or ./data)')
    .option('--lang <lang>', 'reply language (en or fr); detected from the text by default')
    .option('--json', 'print the decision as JSON')
    .action(async (text: string, options: AskOptions) => {
      if (options.lang !== undefined && !isLang(options.lang)) throw new Error(`--lang must be en or fr, got "${options.lang}"`);
      const runtime = await openKnowledge(options);
      try {
        const decision = await runtime.service.decide(text, { lang: isLang(options.lang) ? options.lang : undefined });
        if (options.json) console.log(JSON.stringify(decision, null, 2));
        else printDecision(decision, runtime.service);
      } finally {
        await runtime.close();
      }
    });
}
