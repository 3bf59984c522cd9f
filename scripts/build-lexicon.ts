/**
 * Builds the French → English IT lexicon data file from openly licensed parallel text: the French
 * user-interface translations of LibreOffice as Debian ships them (package `libreoffice-l10n-fr`,
 * MPL-2.0), whose gettext catalogs pair each English UI string (msgid) with its French
 * translation (msgstr).
 *
 *   npx tsx scripts/build-lexicon.ts                   # apt-get download of the pinned version
 *   npx tsx scripts/build-lexicon.ts --deb FILE.deb    # or a .deb already at hand
 *   npx tsx scripts/build-lexicon.ts --check           # rebuild in memory, fail if the committed file differs
 *
 * Exact input: libreoffice-l10n-fr 4:7.4.7-1+deb12u14 (Debian 12 "bookworm" security, Architecture
 * all, sha256 recorded in the output), every catalog under
 * usr/lib/libreoffice/program/resource/fr/LC_MESSAGES/*.mo (33 files). Nothing is installed: the
 * .deb is unpacked with `dpkg-deb -x` into a temporary folder and the .mo files are read directly
 * (the format is gettext's binary catalog; `msgunfmt FILE.mo` shows the same pairs as .po text).
 *
 * Method (deterministic, no randomness):
 * 1. Short UI strings only: the English side 1–3 words, the French side 1–5 words (French needs
 *    articles and prepositions: "mot de passe"), no placeholders, markup, digits or line breaks;
 *    mnemonic markers (~, _) and trailing ":", "...", "…" removed. Each distinct (English, French)
 *    pair counts once, however many catalogs repeat it.
 * 2. Both sides reduced to content words with the engine's own tokenizer and stop lists (accents
 *    folded, as queries are).
 * 3. Alignment: for each French word f and English word e, c(f,e) = short pairs holding both;
 *    Dice(f,e) = 2·c(f,e) / (c(f) + c(e)). A pair whose both sides are one content word is a
 *    direct attestation and counts twice in c(f,e). A French word keeps its best English word when
 *    c(f,e) ≥ MIN_COOC and Dice ≥ MIN_DICE, and a second one when its Dice is at least
 *    SECOND_RATIO of the best's (near-synonyms: "supprimer" → delete remove).
 * 4. A short list of alignments read over and rejected by hand (REJECT, with the reason).
 * 5. IT filter: only English words that occur in the English articles of the shipped knowledge
 *    base (knowledge/articles/en: the project's own end-user IT help), which drops office-suite
 *    vocabulary (cell, slide, formula…) that no end-user IT question needs; French words identical
 *    to their English word are left out (they already match).
 */
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { contentTokens, tokenize } from '../src/engine/retrieval/text.js';

const PACKAGE = 'libreoffice-l10n-fr';
const VERSION = '4:7.4.7-1+deb12u14';
const CATALOG_DIR = 'usr/lib/libreoffice/program/resource/fr/LC_MESSAGES';
const OUT = 'src/engine/retrieval/lexicon-data/lexicon-fr-en.libreoffice.json';
const KB_EN = 'knowledge/articles/en';

const MAX_EN_WORDS = 3;
const MAX_FR_WORDS = 5;
const MIN_COOC = 2;
const MIN_DICE = 0.3;
const SECOND_RATIO = 0.6;
const MUTUAL_RATIO = 0.6;

/**
 * Alignments read over by hand and rejected: the office-suite sense is right in LibreOffice but
 * wrong in an end-user's question ("touche" is a keyboard key, "cassé" folds to "casse" = broken,
 * "je pense" is "I think"), or the link is an artefact of a multi-word label ("pense-bête",
 * "deux facteurs", "lecture seule").
 */
const REJECT = new Set([
  'aretes', 'bete', 'carreler', 'casse', 'emis', 'emission', 'enchainements', 'epurage', 'equiv', 'extra', 'facteurs',
  'hebdomadairement', 'impossible', 'insuffisante', 'interets', 'lettrines', 'longs', 'mensuellement', 'mur', 'origine', 'passer',
  'pense', 'postal', 'publipostage', 'quotidiennement', 'radio', 'relache', 'seule', 'supprespace', 'temoin', 'tirets',
  'toile', 'touche', 'vie', 'vis', 'voir', 'word',
]);

const root = new URL('../', import.meta.url).pathname;
const args = process.argv.slice(2);
const opt = (name: string) => {
  const i = args.indexOf(name);
  return i >= 0 ? args[i + 1] : undefined;
};

function run(cmd: string, argv: string[], cwd?: string): string {
  const r = spawnSync(cmd, argv, { cwd, encoding: 'utf8' });
  if (r.status !== 0) throw new Error(`${cmd} ${argv.join(' ')} failed: ${r.stderr || r.error?.message}`);
  return r.stdout;
}

/** gettext .mo: little- or big-endian header, then tables of (length, offset) for msgids and msgstrs. */
function readMo(buf: Buffer): [string, string][] {
  const magic = buf.readUInt32LE(0);
  const le = magic === 0x950412de;
  if (!le && buf.readUInt32BE(0) !== 0x950412de) throw new Error('not a gettext .mo file');
  const u32 = (o: number) => (le ? buf.readUInt32LE(o) : buf.readUInt32BE(o));
  const n = u32(8);
  const ids = u32(12);
  const strs = u32(16);
  const str = (table: number, i: number) => {
    const len = u32(table + i * 8);
    const off = u32(table + i * 8 + 4);
    return buf.toString('utf8', off, off + len);
  };
  const out: [string, string][] = [];
  for (let i = 0; i < n; i++) {
    let id = str(ids, i);
    if (!id) continue; // the header entry
    const ctx = id.indexOf('\u0004');
    if (ctx >= 0) id = id.slice(ctx + 1);
    // Plural forms are NUL-separated: keep the singular of each side.
    out.push([id.split('\0')[0]!, str(strs, i).split('\0')[0]!]);
  }
  return out;
}

/** A UI string made plain, or undefined when it is not a short plain label. */
function clean(s: string): string | undefined {
  if (/[%$&{}<>\\\n\t|=#@/0-9]/.test(s)) return undefined;
  const t = s
    .replace(/~/g, '')
    .replace(/_(?=\p{L})/gu, '')
    .replace(/\s*(\.\.\.|…|:)\s*$/u, '')
    .trim();
  return t && /\p{L}/u.test(t) ? t : undefined;
}

function englishVocabulary(dir: string): Set<string> {
  const words = new Set<string>();
  for (const f of readdirSync(dir).filter((n) => n.endsWith('.md')).sort()) {
    for (const w of contentTokens(readFileSync(join(dir, f), 'utf8'))) words.add(w);
  }
  return words;
}

function build(deb: string) {
  const field = (name: string) => run('dpkg-deb', ['-f', deb, name]).trim();
  const pkg = field('Package');
  const version = field('Version');
  if (pkg !== PACKAGE) throw new Error(`${deb} is ${pkg}, expected ${PACKAGE}`);
  const sha256 = createHash('sha256').update(readFileSync(deb)).digest('hex');
  const tmp = mkdtempSync(join(tmpdir(), 'lexicon-deb-'));
  try {
    run('dpkg-deb', ['-x', deb, tmp]);
    const catalogs = readdirSync(join(tmp, CATALOG_DIR)).filter((n) => n.endsWith('.mo')).sort();
    const copyright = readFileSync(join(tmp, 'usr/share/doc', PACKAGE, 'copyright'), 'utf8');
    const licence = /^Files: \*\n(?:.+\n)*?License: (\S+)/m.exec(copyright)?.[1];
    let messages = 0;
    const pairs = new Map<string, [string[], string[]]>();
    for (const name of catalogs) {
      for (const [en, fr] of readMo(readFileSync(join(tmp, CATALOG_DIR, name)))) {
        messages++;
        const e = clean(en);
        const f = clean(fr);
        if (!e || !f || !fr.trim()) continue;
        const ew = tokenize(e);
        const fw = tokenize(f);
        if (ew.length < 1 || ew.length > MAX_EN_WORDS || fw.length < 1 || fw.length > MAX_FR_WORDS) continue;
        const ec = [...new Set(contentTokens(e))].filter((w) => w.length > 1);
        const fc = [...new Set(contentTokens(f))].filter((w) => w.length > 1);
        if (ec.length === 0 || fc.length === 0 || ec.length > 3 || fc.length > 3) continue;
        pairs.set(`${ew.join(' ')}\t${fw.join(' ')}`, [ec, fc]);
      }
    }
    const cF = new Map<string, number>();
    const cE = new Map<string, number>();
    const cFE = new Map<string, Map<string, number>>();
    const inc = <K>(m: Map<K, number>, k: K, by = 1) => m.set(k, (m.get(k) ?? 0) + by);
    for (const [ec, fc] of pairs.values()) {
      const direct = ec.length === 1 && fc.length === 1 ? 2 : 1;
      for (const f of fc) inc(cF, f, direct);
      for (const e of ec) inc(cE, e, direct);
      for (const f of fc) {
        const row = cFE.get(f) ?? new Map<string, number>();
        cFE.set(f, row);
        for (const e of ec) inc(row, e, direct);
      }
    }
    const dice = (f: string, e: string) => (2 * (cFE.get(f)?.get(e) ?? 0)) / (cF.get(f)! + cE.get(e)!);
    // A link must hold both ways: the English word's best French word is this one, or nearly as good (inflections).
    const bestFrench = new Map<string, number>();
    for (const [f, row] of cFE) {
      for (const [e, c] of row) {
        if (c < MIN_COOC) continue;
        const d = dice(f, e);
        if (d > (bestFrench.get(e) ?? 0)) bestFrench.set(e, d);
      }
    }
    const vocabulary = englishVocabulary(join(root, KB_EN));
    const aligned: Record<string, string> = {};
    let alignedBeforeFilter = 0;
    for (const f of [...cFE.keys()].sort()) {
      if (f.length < 3) continue;
      const scored = [...cFE.get(f)!.entries()]
        .filter(([e, c]) => c >= MIN_COOC && e.length > 1)
        .map(([e, c]) => ({ e, c, dice: (2 * c) / (cF.get(f)! + cE.get(e)!) }))
        .filter((x) => x.dice >= MIN_DICE && x.dice >= MUTUAL_RATIO * (bestFrench.get(x.e) ?? 0))
        .sort((a, b) => b.dice - a.dice || b.c - a.c || (a.e < b.e ? -1 : 1));
      const best = scored[0];
      if (!best) continue;
      alignedBeforeFilter++;
      const kept = scored.filter((x, i) => (i === 0 || (i === 1 && x.dice >= SECOND_RATIO * best.dice)) && i < 2).map((x) => x.e);
      if (kept.includes(f) || REJECT.has(f)) continue;
      const inDomain = kept.filter((e) => vocabulary.has(e));
      if (inDomain.length === 0 || !vocabulary.has(kept[0]!)) continue;
      aligned[f] = inDomain.join(' ');
    }
    return {
      provenance: {
        description: 'French → English word lexicon aligned from short UI string pairs of LibreOffice\'s French translation, filtered to end-user IT vocabulary.',
        source: {
          package: pkg,
          version,
          distribution: 'Debian 12 (bookworm)',
          sha256,
          files: catalogs.map((n) => `${CATALOG_DIR}/${n}`),
          upstream: 'LibreOffice UI translations (https://translations.documentfoundation.org, project libo_ui)',
          licence: licence ?? 'unknown',
          licence_file: 'lexicon-fr-en.libreoffice.LICENSE.md',
          copyright: 'LibreOffice contributors and/or their affiliates; Oracle and/or its affiliates (per the package\'s debian/copyright, Files: *)',
        },
        built_by: 'scripts/build-lexicon.ts',
        filter: `English words of ${KB_EN}`,
        parameters: { MAX_EN_WORDS, MAX_FR_WORDS, MIN_COOC, MIN_DICE, SECOND_RATIO, MUTUAL_RATIO },
        counts: {
          catalogs: catalogs.length,
          messages,
          short_pairs: pairs.size,
          french_words_aligned: alignedBeforeFilter,
          rejected_by_review: REJECT.size,
          entries: Object.keys(aligned).length,
        },
      },
      entries: aligned,
    };
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
}

function main(): void {
  let deb = opt('--deb');
  let downloaded: string | undefined;
  if (!deb) {
    downloaded = mkdtempSync(join(tmpdir(), 'lexicon-apt-'));
    const version = opt('--version') ?? VERSION;
    run('apt-get', ['download', `${PACKAGE}=${version}`], downloaded);
    const file = readdirSync(downloaded).find((n) => n.endsWith('.deb'));
    if (!file) throw new Error(`apt-get download ${PACKAGE}=${version} produced no .deb (run apt-get update first)`);
    deb = join(downloaded, file);
  }
  try {
    const lexicon = build(deb);
    const out = join(root, opt('--out') ?? OUT);
    const date = opt('--date') ?? new Date().toISOString().slice(0, 10);
    const text = `${JSON.stringify({ provenance: { ...lexicon.provenance, built: date }, entries: lexicon.entries }, null, 1)}\n`;
    if (args.includes('--check')) {
      const committed = JSON.parse(readFileSync(out, 'utf8')) as { entries: Record<string, string> };
      const same = JSON.stringify(committed.entries) === JSON.stringify(lexicon.entries);
      console.log(same ? `${relative(root, out)}: up to date` : `${relative(root, out)}: differs from a rebuild`);
      process.exitCode = same ? 0 : 1;
      return;
    }
    writeFileSync(out, text);
    console.log(`${relative(root, out)}: ${JSON.stringify(lexicon.provenance.counts)}`);
  } finally {
    if (downloaded) rmSync(downloaded, { recursive: true, force: true });
  }
}

main();
