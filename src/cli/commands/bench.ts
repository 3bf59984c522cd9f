import type { Command } from 'commander';
import { formatResults } from '../../bench/report.js';
import { DEFAULT_LOAD_FILE } from '../../bench/load-phase.js';
import { DEFAULT_BENCH_DIR, PHASES, runBenchmark, type Phase } from '../../bench/run.js';

/** `helpdesk bench`: latency, vector search, quality against peers and index builds, in one run. */

interface BenchCliOptions {
  kb: string;
  queries: string;
  sizes: string;
  vectors: string;
  work: string;
  out: string;
  json?: boolean;
  skip: string;
  standIn: string;
  load: string;
  loadMessages: string;
  loadFile: string;
}

function phases(value: string): Phase[] {
  const list = value.split(',').map((s) => s.trim()).filter(Boolean);
  const wrong = list.filter((p) => !(PHASES as readonly string[]).includes(p));
  if (wrong.length > 0) throw new Error(`--skip: unknown phase ${wrong.join(', ')} (phases: ${PHASES.join(', ')})`);
  return list as Phase[];
}

function positiveInts(value: string, name: string): number[] {
  const list = value.split(',').map((s) => Number(s.trim()));
  if (list.length === 0 || list.some((n) => !Number.isInteger(n) || n <= 0)) throw new Error(`${name} must be positive integers separated by commas, got "${value}"`);
  return list;
}

export function registerBench(program: Command): void {
  program
    .command('bench')
    .description('Benchmark decision latency, vector search, quality against MiniSearch and Orama, and index builds (about 15 min on 2 cores)')
    .option('--kb <dir>', 'seed knowledge folder (shipped articles)', 'knowledge')
    .option('--queries <file>', 'labelled dev set', 'eval/dev.jsonl')
    .option('--sizes <list>', 'sizes of the generated knowledge bases, in articles', '1000,10000,50000')
    .option('--vectors <n>', 'vectors in the HNSW vs exact-scan comparison', '100000')
    .option('--work <dir>', 'work folder: generated articles and the embedding cache kept across runs (env HELPDESK_BENCH_DIR)', DEFAULT_BENCH_DIR)
    .option('--out <file>', 'where to write the results', 'bench/results.json')
    .option('--json', 'print the results as JSON instead of tables')
    .option('--skip <phases>', `phases not to run, their earlier numbers carried over from --out (${PHASES.join(', ')})`, '')
    .option('--stand-in <sizes>', 'sizes whose article vectors are stand-ins, not embedded (latency/RSS representative, quality not; "none" embeds every size for real)', '50000')
    .option('--load <mode>', 'saturating load: "run" it now (a few minutes), or read the last result from --load-file ("file")', 'run')
    .option('--load-messages <n>', 'messages per user in the saturating load', '5')
    .option('--load-file <file>', 'the saturating load result (written by `npm run load -- --saturate --out FILE`)', DEFAULT_LOAD_FILE)
    .action(async (options: BenchCliOptions) => {
      if (options.load !== 'run' && options.load !== 'file') throw new Error(`--load: "run" or "file", got "${options.load}"`);
      const results = await runBenchmark(
        {
          seedDir: options.kb,
          queriesFile: options.queries,
          sizes: positiveInts(options.sizes, '--sizes'),
          vectors: positiveInts(options.vectors, '--vectors')[0]!,
          workDir: options.work,
          splits: ['report'],
          out: options.out,
          skip: phases(options.skip),
          standIn: options.standIn === 'none' ? [] : positiveInts(options.standIn, '--stand-in'),
          load: { mode: options.load, messages: positiveInts(options.loadMessages, '--load-messages')[0]!, file: options.loadFile },
        },
        (line) => process.stderr.write(`${line}\n`),
      );
      console.log(options.json ? JSON.stringify(results) : formatResults(results));
    });
}
