import type { ArticleView, DecideOptions, GateDecision, KnowledgeService, ScoredArticle } from '../../../src/engine/ports/knowledge.js';
import type { Lang } from '../../../src/engine/lang.js';

/**
 * A small hand-written KnowledgeService over a few fixed articles, for unit tests of dialogue
 * logic only (the acceptance transcripts use the real retrieval service over knowledge/).
 * Scoring: how many of an article's keywords appear in the query; two close hits → clarify.
 */
interface FakeArticle extends ArticleView {
  keywords: string[];
}

const art = (a: Omit<FakeArticle, 'tags'> & { tags?: string[] }): FakeArticle => ({ tags: [], ...a });

export const ARTICLES: FakeArticle[] = [
  art({
    id: 'vpn-cannot-connect', lang: 'en', title: 'VPN will not connect', summary: 'Get the VPN client connected again.',
    steps: ['Quit the VPN client and start it again.', 'Check the internet works without the VPN.'], category: 'network',
    updated: '2026-08-10', reviewBy: '2027-02-10', flow: 'vpn-connect', keywords: ['vpn', 'connect', 'gateway'],
  }),
  art({
    id: 'vpn-cannot-connect-fr', lang: 'fr', title: 'Le VPN ne se connecte pas', summary: 'Reconnecter le client VPN.',
    steps: ['Quittez le client VPN puis relancez-le.', "Vérifiez qu'internet fonctionne sans le VPN."], category: 'network',
    updated: '2026-08-10', reviewBy: '2027-02-10', flow: 'vpn-connect', translationOf: 'vpn-cannot-connect', keywords: ['connecte', 'passerelle'],
  }),
  art({
    id: 'vpn-disconnects', lang: 'en', title: 'VPN keeps disconnecting', summary: 'Stop the VPN from dropping.',
    steps: ['Use a cable or move closer to the router.'], category: 'network', updated: '2026-05-01', reviewBy: '2026-09-30',
    keywords: ['vpn', 'drops', 'disconnect', 'slow'],
  }),
  art({
    id: 'printer-not-printing', lang: 'en', title: 'Printer not printing', summary: 'Clear the queue and check the printer.',
    steps: ['Open the print queue and cancel all jobs.', 'Restart the printer.'], category: 'printing', updated: '2026-10-01',
    reviewBy: '2027-04-01', flow: 'printer-not-printing', keywords: ['printer', 'print', 'printing', 'imprimante'],
  }),
  art({
    id: 'printer-add', lang: 'en', title: 'Add a printer', summary: 'Install an office printer.', steps: ['Open Company Portal.'],
    category: 'printing', updated: '2026-10-01', reviewBy: '2027-04-01', keywords: ['printer', 'add', 'install'],
  }),
  art({
    id: 'mailbox-full', lang: 'en', title: 'Mailbox full', summary: 'Free up space in your mailbox.', steps: ['Empty Deleted Items.'],
    category: 'email', updated: '2026-11-01', reviewBy: '2027-05-01', keywords: ['mailbox', 'full', 'quota'],
  }),
];

const fold = (s: string) => s.normalize('NFD').replace(/\p{M}/gu, '').toLowerCase();

export class FakeKnowledge implements KnowledgeService {
  readonly queries: Array<{ query: string; options?: DecideOptions }> = [];

  async decide(query: string, options: DecideOptions = {}): Promise<GateDecision> {
    this.queries.push({ query, options });
    const q = new Set(fold(query).split(/[^a-z0-9']+/));
    const lang = options.lang ?? this.detectLang(query);
    const excluded = new Set((options.exclude ?? []).flatMap((id) => this.family(id)));
    const scored: ScoredArticle[] = ARTICLES.filter((a) => a.lang === 'en' && !excluded.has(a.id))
      .map((a) => ({ articleId: a.id, lang: a.lang, title: a.title, score: a.keywords.filter((k) => q.has(k)).length + (ARTICLES.find((t) => t.translationOf === a.id)?.keywords.filter((k) => q.has(k)).length ?? 0) }))
      .filter((c) => c.score > 0)
      .sort((a, b) => b.score - a.score);
    const [top, second] = scored;
    const base = { queryLang: lang, candidates: scored, features: {} };
    if (!top) return { ...base, kind: 'escalate', confidence: 0.2, explanation: 'escalated: no article matches' };
    if (second && second.score === top.score) {
      return { ...base, kind: 'clarify', confidence: 0.6, explanation: 'asked to choose between close articles', options: scored.slice(0, 3) };
    }
    const chosen = this.article(top.articleId, lang);
    return { ...base, kind: 'answer', confidence: 0.9, explanation: `answered: "${top.title}"`, chosen: { ...top, articleId: chosen?.id ?? top.articleId } };
  }

  article(id: string, lang?: Lang): ArticleView | undefined {
    const family = this.family(id);
    const found = ARTICLES.find((a) => family.includes(a.id) && a.lang === lang) ?? ARTICLES.find((a) => a.id === id);
    if (!found) return undefined;
    const { keywords: _k, ...view } = found;
    return view;
  }

  family(id: string): string[] {
    const root = ARTICLES.find((a) => a.id === id)?.translationOf ?? id;
    return ARTICLES.filter((a) => a.id === root || a.translationOf === root).map((a) => a.id);
  }

  detectLang(text: string, fallback: Lang = 'en'): Lang {
    const f = ` ${fold(text)} `;
    if (/ (le|la|les|mon|ma|mes|ne|pas|est|je|j'|une?|du|de|plus|ca) /.test(f)) return 'fr';
    if (/ (the|my|is|it|not|i|a|an|to|of|on|and|doesn't|won't|can't) /.test(f)) return 'en';
    return fallback;
  }
}
