import { readFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import fg from 'fast-glob';
import { describe, expect, it } from 'vitest';
import { lintConfigText } from '../lint/config-engine.js';
import {
  DockerfileError,
  checkDockerfile,
  execForm,
  parseCopy,
  parseDockerfile,
  parseEnv,
  type Instruction,
} from './dockerfile.js';
import {
  checkCompose,
  checkManifests,
  isPrometheusConfig,
  loadYaml,
  pomKafkaVersion,
  selects,
  staticTargets,
  withoutKubernetesDiscovery,
  type YamlDocument,
} from './manifests.js';

const deployDir = dirname(fileURLToPath(import.meta.url));
const read = (path: string): string => readFileSync(join(deployDir, path), 'utf8');
const yamlFiles = fg.sync('**/*.{yaml,yml}', { cwd: deployDir, dot: false }).sort();
const load = (path: string): YamlDocument[] => loadYaml(path, read(path));

const k8sDocuments = (): YamlDocument[] =>
  yamlFiles
    .filter((f) => f.startsWith('k8s/'))
    .flatMap(load)
    .filter((d) => !isPrometheusConfig(d.value));

const promConfigFor = (hostPath: string): unknown => {
  const path = relative(deployDir, resolve(deployDir, hostPath));
  return load(path)[0]?.value;
};

describe('YAML files in deploy/', () => {
  it('finds the manifests, the compose file and the Prometheus configurations', () => {
    expect(yamlFiles).toEqual(
      expect.arrayContaining([
        'compose.yaml',
        'k8s/demo-app.yaml',
        'k8s/exposer-configmap.yaml',
        'k8s/exposer-deployment.yaml',
        'k8s/exposer-service.yaml',
        'k8s/exposer-servicemonitor.yaml',
        'k8s/namespace.yaml',
        'k8s/prometheus.yml',
        'prometheus/demo.yml',
        'prometheus/direct.yml',
      ]),
    );
  });

  it.each(yamlFiles)('%s parses, every document', (file) => {
    const documents = load(file);
    expect(documents.length).toBeGreaterThan(0);
    for (const d of documents) expect(typeof d.value).toBe('object');
  });

  it('reports a YAML error with the file name', () => {
    expect(() => loadYaml('bad.yaml', 'a: [1, 2\nb: 3\n')).toThrow(/^bad\.yaml: document 1: /);
    expect(() => loadYaml('two.yaml', 'a: 1\n---\nb: : :\n')).toThrow(/^two\.yaml: document 2: /);
  });

  it('refuses an alias bomb instead of expanding it', () => {
    const bomb = ['a: &a [x, x, x, x, x, x, x, x, x, x]', 'b: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a, *a]'];
    bomb.push(
      'c: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'd: [*c, *c, *c, *c, *c, *c, *c, *c, *c, *c]',
    );
    expect(() => loadYaml('bomb.yaml', bomb.join('\n'))).toThrow(/alias/i);
  });

  it('skips empty documents but keeps their index for messages', () => {
    const documents = loadYaml('x.yaml', 'a: 1\n---\n---\nkind: A\n');
    expect(documents.map((d) => d.index)).toEqual([0, 2]);
  });
});

describe('Kubernetes manifests (deploy/k8s)', () => {
  it('carry the required fields and point at each other', () => {
    expect(checkManifests(k8sDocuments())).toEqual([]);
  });

  it('hold a Deployment, Service, ConfigMap and ServiceMonitor for the exposer, and the demo apps', () => {
    const kinds = k8sDocuments().map((d) => {
      const v = d.value as { kind: string; metadata: { name: string } };
      return `${v.kind}/${v.metadata.name}`;
    });
    expect(kinds.sort()).toEqual(
      [
        'ConfigMap/exposer-config',
        'Deployment/demo-app',
        'Deployment/exposer',
        'Namespace/queuefront',
        'Service/demo-app',
        'Service/exposer',
        'ServiceMonitor/demo-app',
        'ServiceMonitor/exposer',
      ].sort(),
    );
  });

  it('run every container as non-root with the image built from deploy/Dockerfile', () => {
    for (const d of k8sDocuments()) {
      const v = d.value as { kind: string; spec: { template: { spec: Record<string, unknown> } } };
      if (v.kind !== 'Deployment') continue;
      const pod = v.spec.template.spec;
      expect((pod['securityContext'] as Record<string, unknown>)['runAsNonRoot']).toBe(true);
      for (const c of pod['containers'] as Record<string, unknown>[]) {
        expect(c['image']).toBe('queuefront/exposer:dev');
        expect((c['securityContext'] as Record<string, unknown>)['allowPrivilegeEscalation']).toBe(false);
      }
    }
  });

  it('configure the exposer through EXPOSER_* keys that the ConfigMap defines, listening on the pod interface', () => {
    const configMap = load('k8s/exposer-configmap.yaml')[0]?.value as { data: Record<string, string> };
    expect(configMap.data['EXPOSER_LISTEN']).toBe('0.0.0.0:9464');
    expect(Object.keys(configMap.data).every((k) => /^EXPOSER_[A-Z_]+$/.test(k))).toBe(true);
    const refs = JSON.stringify(k8sDocuments().map((d) => d.value)).matchAll(
      /"configMapKeyRef":\{"name":"exposer-config","key":"([^"]+)"\}/g,
    );
    const keys = [...refs].map((m) => m[1]);
    expect(keys.length).toBeGreaterThan(0);
    for (const key of keys) expect(Object.keys(configMap.data)).toContain(key);
  });

  const deployment = (): Record<string, unknown> =>
    structuredClone(load('k8s/exposer-deployment.yaml')[0]?.value) as Record<string, unknown>;
  const service = (): Record<string, unknown> =>
    structuredClone(load('k8s/exposer-service.yaml')[0]?.value) as Record<string, unknown>;
  const monitor = (): Record<string, unknown> =>
    structuredClone(load('k8s/exposer-servicemonitor.yaml')[0]?.value) as Record<string, unknown>;
  const docs = (...values: unknown[]): YamlDocument[] =>
    values.map((value, index) => ({ file: 'm.yaml', index, value }));
  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaching into parsed YAML to break it
  type Any = any;

  it('reports objects without apiVersion, kind or metadata.name, and documents that are not mappings', () => {
    expect(checkManifests(docs({ kind: 'Service', metadata: { name: 'x' } }))).toContain(
      'm.yaml: document 1 has no apiVersion',
    );
    expect(checkManifests(docs({ apiVersion: 'v1', metadata: { name: 'x' } }))).toContain(
      'm.yaml: document 1 has no kind',
    );
    expect(checkManifests(docs({ apiVersion: 'v1', kind: 'ConfigMap', metadata: {} }))).toContain(
      'm.yaml: document 1 has no metadata.name',
    );
    expect(checkManifests(docs(['a', 'b']))).toEqual(['m.yaml: document 1 is not a mapping']);
  });

  it('reports a Deployment whose selector does not match its pods', () => {
    const d: Any = deployment();
    d.spec.selector.matchLabels = { 'app.kubernetes.io/name': 'other' };
    expect(checkManifests(docs(d))).toContain(
      "m.yaml: Deployment exposer: spec.selector.matchLabels do not match the pod template's labels",
    );
  });

  it('reports containers without image, ports or probes, and probes on undeclared ports', () => {
    const d: Any = deployment();
    const c = d.spec.template.spec.containers[0];
    delete c.image;
    delete c.livenessProbe;
    c.readinessProbe.httpGet.port = 'http';
    expect(checkManifests(docs(d))).toEqual([
      'm.yaml: Deployment exposer: container exposer has no image',
      'm.yaml: Deployment exposer: container exposer has no livenessProbe',
      'm.yaml: Deployment exposer: container exposer: readinessProbe port http is not a container port',
    ]);
    delete c.ports;
    expect(checkManifests(docs(d))).toContain(
      'm.yaml: Deployment exposer: container exposer declares no ports',
    );
    c.ports = [{ name: 'metrics', containerPort: 70000 }];
    expect(checkManifests(docs(d))).toContain(
      'm.yaml: Deployment exposer: container exposer: a port has no valid containerPort',
    );
    d.spec.template.spec.containers = [];
    expect(checkManifests(docs(d))).toContain('m.yaml: Deployment exposer has no containers');
  });

  it('reports a Service that selects no pods or targets a port the pods do not have', () => {
    const s: Any = service();
    s.spec.ports[0].targetPort = 'web';
    expect(checkManifests(docs(deployment(), s))).toEqual([
      'm.yaml (document 2): Service exposer: targetPort web is not a port of Deployment exposer',
    ]);
    s.spec.selector = { 'app.kubernetes.io/name': 'nothing' };
    expect(checkManifests(docs(deployment(), s))).toContain(
      "m.yaml (document 2): Service exposer: spec.selector matches no Deployment's pods",
    );
    s.metadata.namespace = 'elsewhere';
    s.spec.selector = { 'app.kubernetes.io/name': 'exposer' };
    expect(checkManifests(docs(deployment(), s))).toContain(
      "m.yaml (document 2): Service exposer: spec.selector matches no Deployment's pods",
    );
  });

  it('reports a ServiceMonitor that selects no Service or names a port the Service lacks', () => {
    const m: Any = monitor();
    m.spec.endpoints[0].port = 'http';
    expect(checkManifests(docs(deployment(), service(), m))).toEqual([
      'm.yaml (document 3): ServiceMonitor exposer: endpoint port http is not a named port of Service exposer',
    ]);
    m.spec.selector.matchLabels = { app: 'exposer' };
    expect(checkManifests(docs(deployment(), service(), m))).toContain(
      "m.yaml (document 3): ServiceMonitor exposer: spec.selector.matchLabels match no Service's labels",
    );
    m.spec.endpoints = [];
    expect(checkManifests(docs(deployment(), service(), m))).toContain(
      'm.yaml (document 3): ServiceMonitor exposer has no endpoints',
    );
  });

  it('treats an empty selector as selecting nothing', () => {
    expect(selects({}, { a: 'b' })).toBe(false);
    expect(selects({ a: 'b' }, { a: 'b', c: 'd' })).toBe(true);
    expect(selects({ a: 'b' }, { a: 'c' })).toBe(false);
    expect(selects(undefined, { a: 'b' })).toBe(false);
  });
});

describe('compose.yaml', () => {
  const compose = (): Record<string, unknown> =>
    structuredClone(load('compose.yaml')[0]?.value) as Record<string, unknown>;
  const kafkaVersion = pomKafkaVersion(read('kafka/pom.xml'));

  it('runs Kafka (KRaft, pom version), the exposer, Prometheus, a load generator and two demo apps', () => {
    expect(checkCompose(compose(), kafkaVersion, promConfigFor)).toEqual([]);
  });

  it('mounts deploy/prometheus/demo.yml, which scrapes the exposer and both demo apps', () => {
    const targets = staticTargets(promConfigFor('./prometheus/demo.yml'));
    expect(targets.get('exposer')).toEqual(['exposer:9464']);
    expect(targets.get('demo-app')).toEqual(['demo-app-1:8081', 'demo-app-2:8082']);
  });

  // eslint-disable-next-line @typescript-eslint/no-explicit-any -- reaching into parsed YAML to break it
  type Any = any;

  it('reports a Kafka image that differs from deploy/kafka/pom.xml, or one that is not KRaft', () => {
    const c: Any = compose();
    c.services.kafka.image = 'apache/kafka:3.9.0';
    delete c.services.kafka.environment.KAFKA_PROCESS_ROLES;
    expect(checkCompose(c, kafkaVersion, promConfigFor)).toEqual([
      `compose.yaml: kafka image is apache/kafka:3.9.0, expected apache/kafka:${kafkaVersion} (pom.xml)`,
      'compose.yaml: kafka is not a KRaft controller (KAFKA_PROCESS_ROLES)',
    ]);
  });

  it('reports a missing service, a port published on every interface and a wrong broker address', () => {
    const c: Any = compose();
    delete c.services['demo-app-2'];
    c.services.exposer.ports = ['9464:9464'];
    c.services.loadgen.command[2] = 'localhost:9092';
    const problems = checkCompose(c, kafkaVersion, promConfigFor);
    expect(problems).toContain('compose.yaml: no service demo-app-2');
    expect(problems).toContain('compose.yaml: exposer publishes 9464:9464 on every host interface');
    expect(problems).toContain('compose.yaml: loadgen does not use --brokers kafka:9092');
    expect(problems).toContain(
      './prometheus/demo.yml:/etc/prometheus/prometheus.yml:ro: job demo-app scrapes demo-app-2:8082, which is no compose service',
    );
  });

  it('reports a scrape target on a port the service does not listen on', () => {
    const c: Any = compose();
    c.services['demo-app-1'].command = [
      'demo-app',
      '--host',
      '0.0.0.0',
      '--port',
      '9000',
      '--brokers',
      'kafka:9092',
    ];
    expect(checkCompose(c, kafkaVersion, promConfigFor)).toEqual([
      './prometheus/demo.yml:/etc/prometheus/prometheus.yml:ro: job demo-app scrapes demo-app-1:8081, but demo-app-1 does not listen on 8081',
    ]);
    c.services['demo-app-1'].command = 'demo-app --brokers kafka:9092';
    expect(checkCompose(c, kafkaVersion, promConfigFor)).toEqual(
      expect.arrayContaining([
        'compose.yaml: demo-app-1 runs demo-app without --port',
        "compose.yaml: demo-app-1 listens on 127.0.0.1 (the default), not the container's interface",
      ]),
    );
  });

  it('reports an exposer not built from deploy/Dockerfile and a Prometheus without a mounted config', () => {
    const c: Any = compose();
    c.services.exposer.build.dockerfile = 'Dockerfile';
    c.services.prometheus.volumes = [];
    expect(checkCompose(c, kafkaVersion, promConfigFor)).toEqual([
      'compose.yaml: the exposer is not built from deploy/Dockerfile',
      'compose.yaml: prometheus mounts no /etc/prometheus/prometheus.yml',
    ]);
  });

  it('reads the Kafka version from the pom, and says so when it is absent', () => {
    expect(kafkaVersion).toMatch(/^4\.\d+\.\d+$/);
    expect(() => pomKafkaVersion('<project/>')).toThrow('deploy/kafka/pom.xml has no <kafka.version>');
  });
});

describe('Prometheus configurations in deploy/', () => {
  const configs = yamlFiles.filter((f) => load(f).some((d) => isPrometheusConfig(d.value)));

  it('are the demo, the direct and the Kubernetes ones', () => {
    expect(configs).toEqual(['k8s/prometheus.yml', 'prometheus/demo.yml', 'prometheus/direct.yml']);
  });

  it.each(configs)('%s gives every job a sample_limit', (file) => {
    const config = load(file)[0]?.value as { scrape_configs: Record<string, unknown>[] };
    for (const job of config.scrape_configs)
      expect(job['sample_limit'], String(job['job_name'])).toBeGreaterThan(0);
  });

  it('replaces kubernetes_sd_configs by a placeholder static_configs, without touching the original', () => {
    const original = load('k8s/prometheus.yml')[0]?.value;
    const before = JSON.stringify(original);
    const { config, replaced } = withoutKubernetesDiscovery(original);
    expect(replaced).toEqual(['exposer', 'demo-app']);
    expect(JSON.stringify(config)).not.toContain('kubernetes_sd_configs');
    expect(staticTargets(config).get('exposer')).toEqual(['kubernetes-sd-placeholder.invalid:80']);
    expect(JSON.stringify(original)).toBe(before);
    expect(withoutKubernetesDiscovery(load('prometheus/direct.yml')[0]?.value).replaced).toEqual([]);
  });
});

describe('deploy/Dockerfile', () => {
  const dockerfile = parseDockerfile(read('Dockerfile'));

  it('keeps its promises: multi-stage Node 20 slim, production deps, non-root, healthcheck, port 9464', () => {
    expect(checkDockerfile(dockerfile)).toEqual([]);
    expect(dockerfile.stages.map((s) => s.name)).toEqual(['build', 'runtime']);
    expect(dockerfile.stages.every((s) => s.image.startsWith('node:20'))).toBe(true);
  });

  const base = read('Dockerfile');
  const broken = (from: string | RegExp, to: string): string[] => {
    const text = base.replace(from, to);
    expect(text).not.toBe(base);
    return checkDockerfile(parseDockerfile(text));
  };

  it('reports a root user, a missing user and a missing or curl-based healthcheck', () => {
    expect(broken('USER node', 'USER root')).toEqual(['the final stage runs as root']);
    expect(broken('USER node', 'USER 0:0')).toEqual(['the final stage runs as 0:0']);
    expect(broken('USER node\n', '')).toEqual([
      'the final stage has no USER: the container would run as root',
    ]);
    expect(broken(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, 'HEALTHCHECK NONE\n')).toEqual([
      'the final stage has no HEALTHCHECK',
    ]);
    expect(
      broken(/HEALTHCHECK[^\n]*\\\n[^\n]*\n/, 'HEALTHCHECK CMD curl -f http://127.0.0.1:9464/-/healthy\n'),
    ).toEqual([
      'the HEALTHCHECK does not run node in exec form',
      'the HEALTHCHECK uses curl or wget, absent from slim images',
    ]);
  });

  it('reports images that are not Node 20 slim, and a single stage', () => {
    expect(broken('FROM node:20-bookworm-slim AS build', 'FROM node:20 AS build')).toEqual([
      'line 9: FROM node:20 is not a Node 20 slim image',
    ]);
    expect(broken('FROM node:20-bookworm-slim AS runtime', 'FROM node:22-slim AS runtime')[0]).toMatch(
      /FROM node:22-slim is not a Node 20 slim image/,
    );
    const single = checkDockerfile(parseDockerfile('FROM node:20-slim\nUSER node\n'));
    expect(single[0]).toBe('expected a multi-stage build, found 1 stage');
  });

  const productionOnly =
    'the final stage neither installs production dependencies only (`npm ci --omit=dev`) nor copies ' +
    'node_modules from a stage that ran `npm prune --omit=dev` after building';

  it('reports development dependencies in the final stage and a missing build', () => {
    expect(broken(' && npm prune --omit=dev --ignore-scripts --no-audit --no-fund', '')).toEqual([
      productionOnly,
    ]);
    expect(broken('RUN npm run build && npm prune', 'RUN npm prune')).toEqual([
      'no build stage runs `npm run build`',
      productionOnly,
    ]);
    // Pruning before building would remove TypeScript first.
    expect(
      broken(
        'RUN npm run build && npm prune --omit=dev --ignore-scripts',
        'RUN npm prune --omit=dev && npm run build',
      ),
    ).toEqual([productionOnly]);
    expect(broken('RUN npm ci --ignore-scripts --no-audit', 'RUN npm install')).toEqual([
      'no build stage installs every dependency with `npm ci`',
    ]);
  });

  it('accepts a final stage that installs production dependencies itself, and holds it to --ignore-scripts', () => {
    const ownInstall = (run: string): string[] =>
      broken(
        'COPY --from=build /app/node_modules ./node_modules\n',
        `COPY package.json package-lock.json ./\nRUN ${run}\n`,
      );
    expect(ownInstall('npm ci --omit=dev --ignore-scripts')).toEqual([]);
    expect(ownInstall('npm ci --omit=dev')).toEqual([
      '`npm ci` in the final stage runs the `prepare` script, which needs TypeScript: add --ignore-scripts',
    ]);
    expect(ownInstall('npm ci --ignore-scripts')).toEqual([
      productionOnly,
      'the final stage installs development dependencies',
    ]);
  });

  it('reports a missing EXPOSE, listen address or entrypoint, and COPY from an unknown stage', () => {
    expect(broken('EXPOSE 9464', 'EXPOSE 8080')).toEqual(['the final stage does not EXPOSE 9464']);
    expect(broken('ENV EXPOSER_LISTEN=0.0.0.0:9464', 'ENV EXPOSER_LISTEN=127.0.0.1:9464')).toEqual([
      'the final stage does not set EXPOSER_LISTEN=0.0.0.0:9464 (loopback is unreachable from outside)',
    ]);
    expect(broken(/ENTRYPOINT .*\n/, 'ENTRYPOINT node dist/exposer/cli.js\n')).toEqual([
      'the ENTRYPOINT is not ["node", "dist/exposer/cli.js", ...] in exec form',
    ]);
    expect(broken('--from=build', '--from=builder')[0]).toMatch(/COPY --from=builder names no earlier stage/);
  });

  it('refuses what it cannot read, with the line', () => {
    expect(() => parseDockerfile('')).toThrow(new DockerfileError('no FROM instruction', 1));
    expect(() => parseDockerfile('RUN true\nFROM node:20-slim\n')).toThrow(
      'line 1: RUN before the first FROM',
    );
    expect(() => parseDockerfile('FROM node:20-slim\nRUN a \\\n')).toThrow(
      'line 2: RUN ends with a line continuation and nothing after it',
    );
    expect(() => parseDockerfile('FROM node:20-slim\n123 x\n')).toThrow('line 2: expected an instruction');
    expect(() => parseDockerfile('FROM\n')).toThrow('line 1: FROM without an image');
    expect(() => parseDockerfile('FROM a b c d\n')).toThrow('line 1: cannot read FROM a b c d');
  });

  it('joins continuation lines, skipping comments inside them', () => {
    const parsed = parseDockerfile('FROM node:20-slim AS x\nRUN a \\\n  # note\n  && b\n');
    expect(parsed.stages[0]?.instructions).toEqual([{ keyword: 'RUN', args: 'a && b', line: 2 }]);
    expect(parseDockerfile('FROM --platform=linux/amd64 node:20-slim AS x\n').stages[0]?.name).toBe('x');
  });

  const instruction = (keyword: string, args: string): Instruction => ({ keyword, args, line: 1 });

  it('reads COPY, ENV and exec forms', () => {
    expect(parseCopy(instruction('COPY', '--from=build --chown=node /app/dist ./dist'))).toEqual({
      from: 'build',
      sources: ['/app/dist'],
      destination: './dist',
    });
    expect(parseCopy(instruction('COPY', '["a b", "c", "./"]'))).toEqual({
      sources: ['a b', 'c'],
      destination: './',
    });
    expect(() => parseCopy(instruction('COPY', 'only'))).toThrow(
      'COPY needs at least one source and a destination',
    );
    expect(parseEnv(instruction('ENV', 'A=1 B="two words" C='))).toEqual({ A: '1', B: 'two words', C: '' });
    expect(parseEnv(instruction('ENV', 'A one two'))).toEqual({ A: 'one two' });
    expect(() => parseEnv(instruction('ENV', 'A'))).toThrow('cannot read ENV A');
    expect(execForm('["node", "x.js"]')).toEqual(['node', 'x.js']);
    expect(execForm('node x.js')).toBeUndefined();
    expect(execForm('["node", 1]')).toBeUndefined();
    expect(execForm('[not json')).toBeUndefined();
  });
});

describe('scrapelint on deploy/', () => {
  // The table "What scrapelint reports on these files" in docs/deploy.md, row by row.
  const documented = (): string[] => {
    const doc = readFileSync(join(deployDir, '..', 'docs', 'deploy.md'), 'utf8');
    const section = doc.slice(doc.indexOf('## What scrapelint reports on these files'));
    const rows = [
      ...section.matchAll(
        /^\| `(deploy\/[^`]+)` \| (\d+:\d+) \| `([a-z/-]+)` \| (reported|suppressed) \|$/gm,
      ),
    ];
    return rows.map((m) => `${m[1] ?? ''} ${m[2] ?? ''} ${m[3] ?? ''} ${m[4] ?? ''}`).sort();
  };

  it('reports exactly the findings that docs/deploy.md lists, suppressed where the file says so', () => {
    const expected = documented();
    expect(expected.length).toBeGreaterThan(0);
    const actual: string[] = [];
    for (const file of yamlFiles.filter((f) => !f.startsWith('kafka/'))) {
      const path = `deploy/${file}`;
      const result = lintConfigText(read(file), path);
      for (const m of result.messages) actual.push(`${path} ${m.line}:${m.column} ${m.ruleId} reported`);
      for (const m of result.suppressedMessages)
        actual.push(`${path} ${m.line}:${m.column} ${m.ruleId} suppressed`);
    }
    expect(actual.sort()).toEqual(expected);
  });

  it('gives a reason for every suppression in deploy/', () => {
    for (const file of yamlFiles) {
      for (const line of read(file)
        .split('\n')
        .filter((l) => l.includes('scrapelint disable'))) {
        expect(line, file).toMatch(/ -- \S/);
      }
    }
  });
});
