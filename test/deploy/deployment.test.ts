import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { parse as parseYaml, parseAllDocuments } from 'yaml';
import { z } from 'zod';
import { loadConfig } from '../../src/config/index.js';
import { DEFAULT_LOCALES_DIR } from '../../src/engine/i18n.js';
import { DEFAULT_GATE_MODEL_DIR } from '../../src/app/gate-models.js';
import { PUBLIC_DIR as WEB_PUBLIC_DIR } from '../../src/channels/web/index.js';
import { startTestApp, type TestApp } from '../server/start.js';

/**
 * What would break a deployment made from Dockerfile, deploy/compose.yaml and deploy/kubernetes/:
 * a setting the server does not know (silently ignored by the config loader) or a value it rejects,
 * a probe on a path the server does not serve, a grace period shorter than the server's drain, a
 * credential written in clear, a file the image needs at run time that it does not copy.
 */

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const read = (path: string): string => readFileSync(join(ROOT, path), 'utf8');

/** Every environment variable name the config schemas read: the keys of each section's zod object. */
async function knownSettings(): Promise<Set<string>> {
  const names = new Set<string>();
  const dir = join(ROOT, 'src', 'config', 'sections');
  const objectKeys = (schema: z.ZodTypeAny): string[] => {
    let s: z.ZodTypeAny = schema;
    for (;;) {
      if (s instanceof z.ZodEffects) s = s.innerType();
      else if (s instanceof z.ZodPipeline) s = s._def.in as z.ZodTypeAny;
      else break;
    }
    return s instanceof z.ZodObject ? Object.keys(s.shape as object) : [];
  };
  for (const file of readdirSync(dir).filter((f) => f.endsWith('.ts'))) {
    const mod = (await import(join(dir, file))) as Record<string, unknown>;
    for (const value of Object.values(mod)) {
      if (value instanceof z.ZodType) for (const key of objectKeys(value)) if (/^[A-Z][A-Z0-9_]*$/.test(key)) names.add(key);
    }
  }
  return names;
}

/** The path an HTTP health check asks for: the path of its URL, or a quoted absolute path it appends to one. */
function probePath(command: string): string {
  const url = /https?:\/\/[^/'"\s]+(\/[^'"\s)]*)/.exec(command);
  if (url?.[1]) return url[1];
  const quoted = /['"](\/[\w\-/]*)['"]/.exec(command);
  if (quoted?.[1]) return quoted[1];
  throw new Error(`no HTTP path in health check: ${command}`);
}

// --- Dockerfile -------------------------------------------------------------------------------

/** Instructions with their continuation lines joined, comments dropped. */
function dockerInstructions(text: string): Array<{ op: string; args: string; stage: number }> {
  const out: Array<{ op: string; args: string; stage: number }> = [];
  let stage = -1;
  const lines = text.split('\n');
  for (let i = 0; i < lines.length; i++) {
    let line = lines[i]!.trim();
    if (line === '' || line.startsWith('#')) continue;
    while (line.endsWith('\\') && i + 1 < lines.length) line = `${line.slice(0, -1).trim()} ${lines[++i]!.trim()}`;
    const m = /^([A-Z]+)\s+(.*)$/.exec(line);
    if (!m) continue;
    if (m[1] === 'FROM') stage++;
    out.push({ op: m[1]!, args: m[2]!, stage });
  }
  return out;
}

function dockerEnv(args: string): Record<string, string> {
  const env: Record<string, string> = {};
  for (const m of args.matchAll(/([A-Z_][A-Z0-9_]*)=("[^"]*"|\S+)/g)) env[m[1]!] = m[2]!.replace(/^"|"$/g, '');
  return env;
}

// --- Compose ----------------------------------------------------------------------------------

/** Compose's ${VAR}, ${VAR:-default} and ${VAR:?message}: the default, or a sample value for a required one. */
function interpolate(value: string, samples: Record<string, string>): string {
  return value.replace(/\$\{([A-Z_][A-Z0-9_]*)(?::?([-?])([^}]*))?\}/g, (_m, name: string, kind?: string, rest?: string) => {
    if (name in samples) return samples[name]!;
    if (kind === '-') return rest ?? '';
    throw new Error(`compose variable ${name} has no default and no sample value in this test`);
  });
}

function composeEnv(service: Record<string, unknown>): Record<string, string> {
  const env = service.environment;
  if (Array.isArray(env)) return Object.fromEntries(env.map((e: string) => [e.split('=')[0]!, e.slice(e.indexOf('=') + 1)]));
  return Object.fromEntries(Object.entries((env ?? {}) as Record<string, unknown>).map(([k, v]) => [k, String(v)]));
}

/** "30s", "1m30s", "1500ms" → seconds. */
function durationSeconds(d: string): number {
  let total = 0;
  const re = /(\d+(?:\.\d+)?)(ms|s|m|h)/g;
  let matched = '';
  for (const m of d.matchAll(re)) {
    matched += m[0];
    total += Number(m[1]) * { ms: 0.001, s: 1, m: 60, h: 3600 }[m[2] as 'ms' | 's' | 'm' | 'h'];
  }
  if (matched !== d) throw new Error(`not a duration: ${d}`);
  return total;
}

// --- Kubernetes -------------------------------------------------------------------------------

type K8sObject = { kind: string; metadata: { name: string }; spec?: any; data?: Record<string, string> };

function kubernetesObjects(): K8sObject[] {
  const dir = join(ROOT, 'deploy', 'kubernetes');
  const objects: K8sObject[] = [];
  for (const file of readdirSync(dir).filter((f) => /\.ya?ml$/.test(f) && f !== 'kustomization.yaml')) {
    for (const doc of parseAllDocuments(readFileSync(join(dir, file), 'utf8'))) {
      if (doc.errors.length) throw new Error(`${file}: ${doc.errors[0]!.message}`);
      const obj = doc.toJS() as K8sObject | null;
      if (obj) objects.push(obj);
    }
  }
  return objects;
}

/** Names that carry credentials: from a Secret (Kubernetes) or an interpolated variable (Compose), never literal. */
const SECRET_NAME = /PASSWORD|SECRET|TOKEN|API_KEY|^DATABASE_URL$|^REDIS_URL$/;

const SAMPLE_SECRETS: Record<string, string> = {
  POSTGRES_PASSWORD: 'sample-password',
  WEB_SESSION_SECRET: 'x'.repeat(64),
  METRICS_TOKEN: 'y'.repeat(32),
};

describe('deployment files', () => {
  let known: Set<string>;
  const dockerfile = dockerInstructions(read('Dockerfile'));
  const finalStage = Math.max(...dockerfile.map((i) => i.stage));
  const compose = parseYaml(read('deploy/compose.yaml')) as { services: Record<string, Record<string, any>> };
  const botServices = Object.entries(compose.services).filter(([, s]) => s.build !== undefined || String(s.image ?? '').startsWith('helpdesk-bot'));
  const k8s = kubernetesObjects();
  const deployment = k8s.find((o) => o.kind === 'Deployment')!;
  const pod = deployment?.spec.template.spec;
  const container = pod?.containers.find((c: { name: string }) => c.name === 'bot');
  const configMap = k8s.find((o) => o.kind === 'ConfigMap' && o.metadata.name === container?.envFrom?.[0]?.configMapRef?.name);

  /** The container's environment: ConfigMap, then env entries (secret references get sample values). */
  const k8sEnv = (): Record<string, string> => {
    const env: Record<string, string> = { ...(configMap?.data ?? {}) };
    for (const e of container.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: { key: string } } }>) {
      if (e.value !== undefined) env[e.name] = e.value;
      else if (e.valueFrom?.secretKeyRef) {
        const k = e.valueFrom.secretKeyRef.key;
        env[e.name] = SAMPLE_SECRETS[k] ?? (k === 'DATABASE_URL' ? 'postgres://helpdesk:pw@postgres:5432/helpdesk' : k === 'REDIS_URL' ? 'redis://redis:6379/0' : '');
      }
    }
    return env;
  };

  beforeAll(async () => {
    known = await knownSettings();
  });

  it('finds the settings of the config schemas (the check below is not vacuous)', () => {
    for (const name of ['PORT', 'DATA_DIR', 'KB_DIR', 'HOST', 'TRUST_PROXY', 'SHUTDOWN_TIMEOUT_SECONDS', 'WEB_SESSION_SECRET', 'TICKET_PROVIDER', 'DATABASE_URL', 'REDIS_URL', 'REDIS_KEY_PREFIX']) expect(known).toContain(name);
    expect(known).not.toContain('NOT_A_SETTING');
  });

  const checkNames = (where: string, env: Record<string, string>, ignore: string[] = []): void => {
    const unknown = Object.keys(env).filter((n) => !ignore.includes(n) && !known.has(n));
    expect(unknown, `${where}: settings the server does not read`).toEqual([]);
  };

  it('Dockerfile, Compose and Kubernetes set only settings the server reads, with values it accepts', () => {
    const dockerEnvAll = Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV' && i.stage === finalStage).map((i) => dockerEnv(i.args))) as Record<string, string>;
    // NODE_ENV is read by libraries (express), not by the server's configuration.
    checkNames('Dockerfile ENV', dockerEnvAll, ['NODE_ENV']);
    expect(() => loadConfig(dockerEnvAll)).not.toThrow();

    expect(botServices.length).toBeGreaterThan(0);
    for (const [name, service] of botServices) {
      const env = Object.fromEntries(Object.entries(composeEnv(service)).map(([k, v]) => [k, interpolate(v, SAMPLE_SECRETS)]));
      checkNames(`compose service ${name}`, env);
      expect(() => loadConfig({ ...dockerEnvAll, ...env })).not.toThrow();
    }

    expect(container, 'a container named bot in the Deployment').toBeDefined();
    expect(configMap, 'the ConfigMap the container reads').toBeDefined();
    const env = k8sEnv();
    checkNames('Kubernetes ConfigMap and env', env);
    expect(() => loadConfig({ ...dockerEnvAll, ...env })).not.toThrow();
  });

  it('writes no credential in clear: Kubernetes takes them from a Secret, Compose from the environment', () => {
    for (const [name, value] of Object.entries(configMap?.data ?? {})) expect(SECRET_NAME.test(name), `ConfigMap holds ${name}`).toBe(false);
    for (const e of container.env as Array<{ name: string; value?: string; valueFrom?: { secretKeyRef?: unknown } }>) {
      if (SECRET_NAME.test(e.name)) expect(e.valueFrom?.secretKeyRef, `${e.name} from a Secret`).toBeDefined();
    }
    expect(k8s.some((o) => o.kind === 'Secret'), 'no Secret object with values in the repository').toBe(false);
    for (const [, service] of Object.entries(compose.services)) {
      for (const [name, value] of Object.entries(composeEnv(service))) {
        if (!SECRET_NAME.test(name) || name === 'REDIS_URL') continue; // Redis on the Compose network has no password
        // The credential part is a ${VARIABLE}: a URL's password, or the whole value.
        const secretPart = name === 'DATABASE_URL' ? /^postgres(?:ql)?:\/\/[^:]+:([^@]*)@/.exec(value)?.[1] : value;
        expect(secretPart, `compose ${name}`).toMatch(/^\$\{[A-Z_][A-Z0-9_]*(:[-?][^}]*)?\}$/);
      }
    }
  });

  it('gives the server at least its drain time (SHUTDOWN_TIMEOUT_SECONDS) after SIGTERM before killing it', () => {
    const dockerEnvAll = Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV' && i.stage === finalStage).map((i) => dockerEnv(i.args))) as Record<string, string>;
    // Kubernetes: preStop runs first, inside the same grace period.
    const drainK8s = loadConfig({ ...dockerEnvAll, ...k8sEnv() }).channels.server.shutdownTimeoutMs / 1000;
    const preStop = container.lifecycle?.preStop?.exec?.command as string[] | undefined;
    const preStopSeconds = preStop && preStop[0] === 'sleep' ? Number(preStop[1]) : 0;
    expect(pod.terminationGracePeriodSeconds).toBeGreaterThan(preStopSeconds + drainK8s);
    for (const [name, service] of botServices) {
      const env = Object.fromEntries(Object.entries(composeEnv(service)).map(([k, v]) => [k, interpolate(v, SAMPLE_SECRETS)]));
      const drain = loadConfig({ ...dockerEnvAll, ...env }).channels.server.shutdownTimeoutMs / 1000;
      // Compose's default is 10 s: without stop_grace_period a 15 s drain is cut short.
      expect(durationSeconds(String(service.stop_grace_period ?? '10s')), `compose ${name}`).toBeGreaterThan(drain);
    }
  });

  it('rolls out without losing capacity: surge one, none unavailable, a disruption budget, three replicas', () => {
    expect(deployment.spec.replicas).toBe(3);
    expect(deployment.spec.strategy).toMatchObject({ type: 'RollingUpdate', rollingUpdate: { maxUnavailable: 0, maxSurge: 1 } });
    const pdb = k8s.find((o) => o.kind === 'PodDisruptionBudget');
    expect(pdb?.spec.selector.matchLabels).toEqual(deployment.spec.selector.matchLabels);
    const service = k8s.find((o) => o.kind === 'Service');
    expect(service?.spec.selector).toEqual(deployment.spec.selector.matchLabels);
    expect(deployment.spec.template.metadata.labels).toMatchObject(deployment.spec.selector.matchLabels);
    // Compose: replicas of the bot, PostgreSQL and Redis healthy before it starts, the balancer after it is ready.
    const [botName, bot] = botServices[0]!;
    expect(Number(interpolate(String(bot.deploy?.replicas ?? 1), {}))).toBeGreaterThanOrEqual(2);
    for (const dep of Object.values(bot.depends_on as Record<string, { condition: string }>)) expect(dep.condition).toBe('service_healthy');
    expect(Object.keys(bot.depends_on)).toEqual(expect.arrayContaining(['postgres', 'redis']));
    const balancer = Object.values(compose.services).find((s) => s.depends_on?.[botName]);
    expect(balancer?.depends_on[botName].condition).toBe('service_healthy');
  });

  it('listens where the probes and the load balancer knock', () => {
    const port = loadConfig({ ...k8sEnv() }).core.port;
    const ports = container.ports as Array<{ name: string; containerPort: number }>;
    expect(ports.find((p) => p.name === container.readinessProbe.httpGet.port)?.containerPort).toBe(port);
    expect(ports.find((p) => p.name === container.livenessProbe.httpGet.port)?.containerPort).toBe(port);
    // Not loopback: a probe from the kubelet or another container must reach it.
    expect(loadConfig(k8sEnv()).core.host).toBe('0.0.0.0');
    for (const [name, service] of botServices) {
      const env = Object.fromEntries(Object.entries(composeEnv(service)).map(([k, v]) => [k, interpolate(v, SAMPLE_SECRETS)]));
      const cfg = loadConfig(env).core;
      expect(cfg.host, `compose ${name} HOST`).toBe('0.0.0.0');
      expect(String(service.healthcheck.test.join(' '))).toContain(`:${cfg.port}/`);
      expect(read('deploy/nginx.conf')).toMatch(new RegExp(`server\\s+${name}:${cfg.port}\\b`));
    }
    const dockerEnvAll = Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV' && i.stage === finalStage).map((i) => dockerEnv(i.args))) as Record<string, string>;
    const cfg = loadConfig(dockerEnvAll).core;
    expect(cfg.host).toBe('0.0.0.0');
    expect(dockerfile.find((i) => i.op === 'EXPOSE' && i.stage === finalStage)?.args).toBe(String(cfg.port));
  });

  it('copies into the image every file the server reads at run time, runs as non-root, keeps DATA_DIR a volume', () => {
    const copies = dockerfile.filter((i) => i.op === 'COPY' && i.stage === finalStage && !i.args.includes('--from='));
    const sources = copies.flatMap((c) => c.args.split(/\s+/).filter((a) => !a.startsWith('--')).slice(0, -1));
    const ignored = read('.dockerignore').split('\n').map((l) => l.trim()).filter((l) => l && !l.startsWith('#') && !l.startsWith('!'));
    for (const src of sources) {
      expect(existsSync(join(ROOT, src)), `COPY ${src}`).toBe(true);
      expect(ignored.some((p) => src === p || src.startsWith(`${p}/`)), `${src} excluded by .dockerignore`).toBe(false);
    }
    for (const dir of [DEFAULT_LOCALES_DIR, DEFAULT_GATE_MODEL_DIR, WEB_PUBLIC_DIR, join(ROOT, 'src', 'console', 'public')]) {
      expect(sources, 'run-time files').toContain(relative(ROOT, dir));
    }
    expect(dockerfile.find((i) => i.op === 'CMD' && i.stage === finalStage)?.args).toContain('dist/main.js');
    expect(existsSync(join(ROOT, 'src', 'main.ts'))).toBe(true);
    expect(dockerfile.find((i) => i.op === 'USER' && i.stage === finalStage)?.args).not.toMatch(/^(root|0)$/);
    const dataDir = loadConfig(Object.assign({}, ...dockerfile.filter((i) => i.op === 'ENV' && i.stage === finalStage).map((i) => dockerEnv(i.args)))).core.dataDir;
    expect(dockerfile.find((i) => i.op === 'VOLUME' && i.stage === finalStage)?.args).toContain(dataDir);
    // The build installs with the repository's .npmrc (it skips a download from a non-npm host).
    expect(dockerfile.find((i) => i.op === 'COPY' && i.args.includes('package-lock.json'))?.args).toContain('.npmrc');
  });

  describe('probe paths are routes of the real server', () => {
    let server: TestApp;
    beforeAll(async () => {
      server = await startTestApp();
    });
    afterAll(async () => {
      await server?.stop();
    });

    const probes = (): Array<{ where: string; path: string; kind: 'liveness' | 'readiness' }> => {
      const healthcheck = dockerfile.find((i) => i.op === 'HEALTHCHECK' && i.stage === finalStage);
      return [
        { where: 'Dockerfile HEALTHCHECK', path: probePath(healthcheck?.args ?? ''), kind: 'liveness' },
        ...botServices.map(([name, s]) => ({ where: `compose ${name} healthcheck`, path: probePath((s.healthcheck.test as string[]).join(' ')), kind: 'readiness' as const })),
        { where: 'Kubernetes readinessProbe', path: container.readinessProbe.httpGet.path as string, kind: 'readiness' },
        { where: 'Kubernetes livenessProbe', path: container.livenessProbe.httpGet.path as string, kind: 'liveness' },
      ];
    };

    it('answers 200 on each probe path; readiness probes ask the readiness report, liveness ones a route that does not', async () => {
      const found = probes();
      expect(found).toHaveLength(3 + botServices.length);
      for (const probe of found) {
        const res = await fetch(`${server.url}${probe.path}`);
        expect(res.status, `${probe.where} GET ${probe.path}`).toBe(200);
        const body = (await res.json()) as { status?: string; phase?: string };
        // A readiness probe must be the route that says 503 while starting and draining (it reports a phase);
        // a liveness probe must not, or a pod indexing a large knowledge base would be restarted forever.
        if (probe.kind === 'readiness') expect(body, `${probe.where} is the readiness report`).toMatchObject({ status: 'ready', phase: 'serving' });
        else expect(body.phase, `${probe.where} is not the readiness report`).toBeUndefined();
      }
    });
  });
});
