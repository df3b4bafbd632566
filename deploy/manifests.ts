/**
 * Checks of the deployment files in deploy/: Kubernetes manifests (required fields, and that the Service, the
 * Deployment and the ServiceMonitor point at each other), the compose file, and the Prometheus configurations
 * among them. Pure functions over parsed YAML: each returns one message per problem, naming file and object.
 */
import { parseAllDocuments } from 'yaml';

export interface YamlDocument {
  readonly file: string;
  /** 0-based index of the document in a multi-document file. */
  readonly index: number;
  readonly value: unknown;
}

/** Parses every document of a YAML file (with `<<` merge keys, as compose uses them); throws on any error. */
export function loadYaml(file: string, text: string): YamlDocument[] {
  const documents = parseAllDocuments(text, { merge: true, prettyErrors: true });
  const out: YamlDocument[] = [];
  documents.forEach((document, index) => {
    const error = document.errors[0];
    if (error !== undefined) throw new Error(`${file}: document ${index + 1}: ${error.message}`);
    const value: unknown = document.toJS({ maxAliasCount: 100 });
    if (value !== null && value !== undefined) out.push({ file, index, value });
  });
  return out;
}

type Obj = Record<string, unknown>;
const isObj = (v: unknown): v is Obj => typeof v === 'object' && v !== null && !Array.isArray(v);
const obj = (v: unknown): Obj => (isObj(v) ? v : {});
const list = (v: unknown): unknown[] => (Array.isArray(v) ? (v as unknown[]) : []);
const str = (v: unknown): string | undefined => (typeof v === 'string' && v !== '' ? v : undefined);
/** A port or other scalar as text (`8080`, `metrics`); objects and lists become a visible placeholder. */
const scalar = (v: unknown): string =>
  typeof v === 'string' || typeof v === 'number' || typeof v === 'boolean' ? String(v) : '(not a scalar)';

/** A Prometheus configuration file (as opposed to a Kubernetes object or a compose file). */
export function isPrometheusConfig(value: unknown): boolean {
  return isObj(value) && 'scrape_configs' in value && !('kind' in value) && !('services' in value);
}

/** Whether every label of `selector` is carried by `labels`, and `selector` is not empty. */
export function selects(selector: unknown, labels: unknown): boolean {
  const wanted = Object.entries(obj(selector));
  const have = obj(labels);
  return wanted.length > 0 && wanted.every(([k, v]) => have[k] === v);
}

interface Workload {
  readonly namespace: string;
  readonly name: string;
  readonly podLabels: Obj;
  /** Container port names and numbers (as strings). */
  readonly ports: Set<string>;
}

const describe = (doc: YamlDocument, kind: string, name: string): string =>
  `${doc.file}${doc.index > 0 ? ` (document ${doc.index + 1})` : ''}: ${kind} ${name}`;

function checkProbe(
  where: string,
  probeName: string,
  probe: unknown,
  ports: Set<string>,
  problems: string[],
): void {
  if (!isObj(probe)) {
    problems.push(`${where} has no ${probeName}`);
    return;
  }
  const target = obj(probe['httpGet'] ?? probe['tcpSocket'] ?? probe['grpc']);
  const port = target['port'];
  if (port === undefined) {
    if (!isObj(probe['exec']))
      problems.push(`${where}: ${probeName} has no httpGet, tcpSocket, grpc or exec`);
    return;
  }
  if (!ports.has(scalar(port)))
    problems.push(`${where}: ${probeName} port ${scalar(port)} is not a container port`);
}

/**
 * Checks Kubernetes objects: apiVersion, kind and metadata.name everywhere; for Deployments, a selector that
 * matches the pod labels and containers with image, ports and liveness/readiness probes; for Services, a
 * selector that matches a Deployment's pods and target ports that exist; for ServiceMonitors, a selector that
 * matches a Service and endpoint ports that the Service names.
 */
export function checkManifests(documents: readonly YamlDocument[]): string[] {
  const problems: string[] = [];
  const workloads: Workload[] = [];
  const services: { doc: YamlDocument; namespace: string; name: string; labels: Obj; spec: Obj }[] = [];
  const monitors: { doc: YamlDocument; namespace: string; name: string; spec: Obj }[] = [];

  for (const doc of documents) {
    if (!isObj(doc.value)) {
      problems.push(`${doc.file}: document ${doc.index + 1} is not a mapping`);
      continue;
    }
    const apiVersion = str(doc.value['apiVersion']);
    const kind = str(doc.value['kind']);
    const metadata = obj(doc.value['metadata']);
    const name = str(metadata['name']);
    if (apiVersion === undefined) problems.push(`${doc.file}: document ${doc.index + 1} has no apiVersion`);
    if (kind === undefined) problems.push(`${doc.file}: document ${doc.index + 1} has no kind`);
    if (name === undefined) problems.push(`${doc.file}: document ${doc.index + 1} has no metadata.name`);
    if (kind === undefined || name === undefined) continue;
    const namespace = str(metadata['namespace']) ?? 'default';
    const where = describe(doc, kind, name);
    const spec = obj(doc.value['spec']);

    if (kind === 'Deployment') {
      const matchLabels = obj(obj(spec['selector'])['matchLabels']);
      const template = obj(spec['template']);
      const podLabels = obj(obj(template['metadata'])['labels']);
      if (!selects(matchLabels, podLabels)) {
        problems.push(`${where}: spec.selector.matchLabels do not match the pod template's labels`);
      }
      const containers = list(obj(template['spec'])['containers']);
      if (containers.length === 0) problems.push(`${where} has no containers`);
      const ports = new Set<string>();
      for (const raw of containers) {
        const container = obj(raw);
        const cname = str(container['name']) ?? '(unnamed)';
        const cwhere = `${where}: container ${cname}`;
        if (str(container['name']) === undefined) problems.push(`${where}: a container has no name`);
        if (str(container['image']) === undefined) problems.push(`${cwhere} has no image`);
        const cports = list(container['ports']);
        if (cports.length === 0) problems.push(`${cwhere} declares no ports`);
        const own = new Set<string>();
        for (const p of cports) {
          const port = obj(p);
          const number = port['containerPort'];
          if (typeof number !== 'number' || !Number.isInteger(number) || number < 1 || number > 65535) {
            problems.push(`${cwhere}: a port has no valid containerPort`);
            continue;
          }
          own.add(String(number));
          const pname = str(port['name']);
          if (pname !== undefined) own.add(pname);
        }
        checkProbe(cwhere, 'livenessProbe', container['livenessProbe'], own, problems);
        checkProbe(cwhere, 'readinessProbe', container['readinessProbe'], own, problems);
        for (const p of own) ports.add(p);
      }
      workloads.push({ namespace, name, podLabels, ports });
    } else if (kind === 'Service') {
      services.push({ doc, namespace, name, labels: obj(metadata['labels']), spec });
    } else if (kind === 'ServiceMonitor') {
      monitors.push({ doc, namespace, name, spec });
    }
  }

  const servicePorts = new Map<string, Set<string>>();
  for (const service of services) {
    const where = describe(service.doc, 'Service', service.name);
    const selector = obj(service.spec['selector']);
    const workload = workloads.find(
      (w) => w.namespace === service.namespace && selects(selector, w.podLabels),
    );
    if (workload === undefined) problems.push(`${where}: spec.selector matches no Deployment's pods`);
    const ports = list(service.spec['ports']);
    if (ports.length === 0) problems.push(`${where} has no ports`);
    const names = new Set<string>();
    for (const raw of ports) {
      const port = obj(raw);
      const target = port['targetPort'] ?? port['port'];
      if (typeof port['port'] !== 'number') problems.push(`${where}: a port has no number`);
      if (workload !== undefined && !workload.ports.has(scalar(target))) {
        problems.push(`${where}: targetPort ${scalar(target)} is not a port of Deployment ${workload.name}`);
      }
      const pname = str(port['name']);
      if (pname !== undefined) names.add(pname);
    }
    servicePorts.set(`${service.namespace}/${service.name}`, names);
  }

  for (const monitor of monitors) {
    const where = describe(monitor.doc, 'ServiceMonitor', monitor.name);
    const matchLabels = obj(obj(monitor.spec['selector'])['matchLabels']);
    const namespaces = list(obj(monitor.spec['namespaceSelector'])['matchNames']).filter(
      (n): n is string => typeof n === 'string',
    );
    const inScope = namespaces.length > 0 ? namespaces : [monitor.namespace];
    const service = services.find((s) => inScope.includes(s.namespace) && selects(matchLabels, s.labels));
    if (service === undefined) problems.push(`${where}: spec.selector.matchLabels match no Service's labels`);
    const endpoints = list(monitor.spec['endpoints']);
    if (endpoints.length === 0) problems.push(`${where} has no endpoints`);
    for (const raw of endpoints) {
      const port = str(obj(raw)['port']);
      if (port === undefined) problems.push(`${where}: an endpoint names no port`);
      else if (
        service !== undefined &&
        !servicePorts.get(`${service.namespace}/${service.name}`)?.has(port)
      ) {
        problems.push(`${where}: endpoint port ${port} is not a named port of Service ${service.name}`);
      }
    }
  }
  return problems;
}

/** The Kafka version pinned by deploy/kafka/pom.xml. */
export function pomKafkaVersion(pom: string): string {
  const version = /<kafka\.version>([^<]+)<\/kafka\.version>/.exec(pom)?.[1]?.trim();
  if (version === undefined || version === '') throw new Error('deploy/kafka/pom.xml has no <kafka.version>');
  return version;
}

/** Static scrape targets (`host:port`) of a Prometheus configuration, by job. */
export function staticTargets(config: unknown): Map<string, string[]> {
  const out = new Map<string, string[]>();
  for (const raw of list(obj(config)['scrape_configs'])) {
    const job = obj(raw);
    const name = str(job['job_name']) ?? '(unnamed)';
    const targets = list(job['static_configs']).flatMap((sc) =>
      list(obj(sc)['targets']).filter((t): t is string => typeof t === 'string'),
    );
    out.set(name, targets);
  }
  return out;
}

const SERVICES = ['kafka', 'exposer', 'prometheus', 'loadgen', 'demo-app-1', 'demo-app-2'] as const;

/** The argv of a compose `command` (a list, or a string split on spaces). */
function commandOf(service: Obj): string[] {
  const command = service['command'];
  if (typeof command === 'string') return command.split(/\s+/).filter((w) => w !== '');
  return list(command).map(String);
}

function flag(argv: readonly string[], name: string): string | undefined {
  const i = argv.indexOf(name);
  if (i >= 0) return argv[i + 1];
  return argv.find((a) => a.startsWith(`${name}=`))?.slice(name.length + 1);
}

/**
 * Checks deploy/compose.yaml: the six services; Kafka is the official image at the pom's version, in KRaft
 * mode; the exposer is built from deploy/Dockerfile; host ports are published on 127.0.0.1 only; the pushing
 * services talk to the `kafka` service; and every static target of the mounted Prometheus configuration is a
 * compose service listening on that port (`promConfigFor` maps the mounted host path to that configuration).
 */
export function checkCompose(
  compose: unknown,
  kafkaVersion: string,
  promConfigFor: (hostPath: string) => unknown,
): string[] {
  const problems: string[] = [];
  const services = obj(obj(compose)['services']);
  for (const name of SERVICES) if (!isObj(services[name])) problems.push(`compose.yaml: no service ${name}`);

  const kafka = obj(services['kafka']);
  const image = str(kafka['image']);
  if (image !== `apache/kafka:${kafkaVersion}`) {
    problems.push(
      `compose.yaml: kafka image is ${image ?? '(none)'}, expected apache/kafka:${kafkaVersion} (pom.xml)`,
    );
  }
  const env = obj(kafka['environment']);
  if (!scalar(env['KAFKA_PROCESS_ROLES']).split(',').includes('controller')) {
    problems.push('compose.yaml: kafka is not a KRaft controller (KAFKA_PROCESS_ROLES)');
  }

  const build = obj(obj(services['exposer'])['build']);
  if (build['dockerfile'] !== 'deploy/Dockerfile') {
    problems.push('compose.yaml: the exposer is not built from deploy/Dockerfile');
  }

  // Where each service listens: the exposer on 9464 (the image's EXPOSER_LISTEN), demo apps on their --port.
  const listening = new Map<string, Set<string>>();
  for (const [name, raw] of Object.entries(services)) {
    const service = obj(raw);
    const argv = commandOf(service);
    const ports = new Set<string>();
    const command = argv[0];
    if (name === 'prometheus') ports.add('9090');
    if (command === 'serve') ports.add((flag(argv, '--listen') ?? '0.0.0.0:9464').split(':').at(-1) ?? '');
    if (command === 'demo-app') {
      const port = flag(argv, '--port');
      if (port === undefined) problems.push(`compose.yaml: ${name} runs demo-app without --port`);
      else ports.add(port);
      // The demo app binds 127.0.0.1 unless told otherwise: unreachable from Prometheus's container.
      const host = flag(argv, '--host');
      if (host !== '0.0.0.0' && host !== '::') {
        problems.push(
          `compose.yaml: ${name} listens on ${host ?? '127.0.0.1 (the default)'}, not the container's interface`,
        );
      }
    }
    if (command === 'serve' || command === 'loadgen' || command === 'demo-app') {
      const brokers = flag(argv, '--brokers');
      if (brokers !== 'kafka:9092') problems.push(`compose.yaml: ${name} does not use --brokers kafka:9092`);
    }
    listening.set(name, ports);
    for (const published of list(service['ports']).map(String)) {
      if (!published.startsWith('127.0.0.1:')) {
        problems.push(`compose.yaml: ${name} publishes ${published} on every host interface`);
      }
    }
  }
  if (commandOf(obj(services['loadgen']))[0] !== 'loadgen')
    problems.push('compose.yaml: loadgen does not run loadgen');

  const mount = list(obj(services['prometheus'])['volumes'])
    .map(String)
    .find((v) => v.split(':')[1] === '/etc/prometheus/prometheus.yml');
  if (mount === undefined) {
    problems.push('compose.yaml: prometheus mounts no /etc/prometheus/prometheus.yml');
    return problems;
  }
  const config = promConfigFor(mount.split(':')[0] ?? '');
  for (const [job, targets] of staticTargets(config)) {
    for (const target of targets) {
      const [host, port] = target.split(':');
      const ports = host === 'localhost' ? listening.get('prometheus') : listening.get(host ?? '');
      if (ports === undefined)
        problems.push(`${mount}: job ${job} scrapes ${target}, which is no compose service`);
      else if (port === undefined || !ports.has(port)) {
        problems.push(
          `${mount}: job ${job} scrapes ${target}, but ${host ?? ''} does not listen on ${port ?? '?'}`,
        );
      }
    }
  }
  return problems;
}

/**
 * A copy of a Prometheus configuration in which every `kubernetes_sd_configs` block is replaced by a placeholder
 * `static_configs`, so that a promtool built without Kubernetes discovery can check everything else.
 * Returns the copy and the jobs whose discovery was replaced (and so not checked).
 */
export function withoutKubernetesDiscovery(config: unknown): { config: unknown; replaced: string[] } {
  const replaced: string[] = [];
  const copy = structuredClone(config) as Obj;
  for (const raw of list(copy['scrape_configs'])) {
    const job = obj(raw);
    if (!('kubernetes_sd_configs' in job)) continue;
    delete job['kubernetes_sd_configs'];
    const existing = list(job['static_configs']);
    job['static_configs'] = [...existing, { targets: ['kubernetes-sd-placeholder.invalid:80'] }];
    replaced.push(str(job['job_name']) ?? '(unnamed)');
  }
  return { config: copy, replaced };
}
