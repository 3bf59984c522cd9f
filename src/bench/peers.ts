import { create, insertMultiple, search, type AnyOrama } from '@orama/orama';
import type { Article } from '../engine/knowledge/types.js';
import type { Embedder } from '../engine/ports/embedder.js';
import type { EmbedText } from '../engine/retrieval/entries.js';

/**
 * What a developer would otherwise reach for, set up the way their documentation suggests:
 * MiniSearch (BM25, shared with `helpdesk eval`'s baseline) over whole articles, and Orama hybrid search over the same
 * texts and the same USE vectors the product embeds (titles, `questions`, chunks). Neither has
 * a gate: they rank, they never decide to escalate. Both return article ids, best first.
 */

export { miniSearchPeer, type Peer } from '../engine/eval/baseline.js';
import type { Peer } from '../engine/eval/baseline.js';

/** Article ids in order of first appearance (several chunks of one article may match). */
const distinct = (ids: readonly string[]) => [...new Set(ids)];

export interface OramaPeerInput {
  entries: readonly EmbedText[];
  /** Vector of each entry, by entry hash (the product's own embeddings). */
  vectors: ReadonlyMap<string, Float32Array>;
  titles: ReadonlyMap<string, string>;
  embedder: Embedder;
}

/** USE cosines of relevant texts sit around 0.4–0.8; Orama's default cut-off of 0.8 drops most of them. */
const ORAMA_SIMILARITY = 0.3;

export async function oramaPeer(input: OramaPeerInput): Promise<Peer> {
  const db: AnyOrama = create({
    schema: { article: 'string', title: 'string', text: 'string', embedding: `vector[${input.embedder.dimension}]` } as const,
  });
  const docs = input.entries.map((e) => ({
    article: e.articleId,
    title: input.titles.get(e.articleId) ?? '',
    text: e.text,
    embedding: Array.from(input.vectors.get(e.hash) ?? []),
  }));
  const missing = docs.filter((d) => d.embedding.length !== input.embedder.dimension).length;
  if (missing > 0) throw new Error(`Orama peer: ${missing} entries have no vector`);
  await insertMultiple(db, docs);
  return {
    name: 'Orama',
    description: `Orama 3 hybrid (default 0.5/0.5 weights), one document per embedded text with the same USE vectors; title boost 2; similarity cut-off ${ORAMA_SIMILARITY}`,
    search: async (query) => {
      const [vector] = await input.embedder.embedQueries([query]);
      const result = await search(db, {
        mode: 'hybrid',
        term: query,
        properties: ['title', 'text'],
        boost: { title: 2 },
        vector: { value: Array.from(vector!), property: 'embedding' },
        similarity: ORAMA_SIMILARITY,
        limit: 100,
      });
      return distinct(result.hits.map((h) => String(h.document.article)));
    },
  };
}
