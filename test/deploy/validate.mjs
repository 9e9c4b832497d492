// SPDX-License-Identifier: MIT
// Validate the Kubernetes manifests of deploy/k8s offline, against the
// Kubernetes schemas of the npm package kubernetes-models (pinned in
// package-lock.json), without a cluster and without kubectl.
//
//   node validate.mjs [--json] [DIR]      (DIR: deploy/k8s by default)
//
// What is read: kustomization.yaml (its resources, and its
// configMapGenerator built the way kustomize builds it: "files" entries
// KEY=PATH relative to DIR, "envs" files of KEY=VALUE lines taken
// literally; the generated names' hash suffix is left out, references are
// checked against the base names; "images" rewrites container images),
// plus every other *.yaml in DIR (templates applied by hand: the Secret,
// the migration Job). Every document must be a kind the schemas know
// (apiVersion and kind), pass its schema, and carry no field the schema
// does not know (a misspelt field would be dropped, or refused, by the API
// server). Then the references between documents: selectors and labels,
// the autoscaler's and the disruption budget's targets, ConfigMap and
// Secret names and keys, volume mounts, probe ports; and civitas's own
// rules: probes on /health, the socket nginx and the workers share, the
// nginx files the ConfigMap must carry, a rolling update that drops no
// request.
//
// Output: one "error: ..." line per problem, then "N documents, N errors";
// exit 1 when there is an error. --json prints the documents (as built)
// instead of the summary, for test/func/test_deploy.py.
import fs from "node:fs";
import path from "node:path";
import { fileURLToPath } from "node:url";
import YAML from "yaml";

const here = path.dirname(fileURLToPath(import.meta.url));
const args = process.argv.slice(2);
const asJson = args.includes("--json");
const dir = path.resolve(args.find((a) => !a.startsWith("--")) ??
  path.join(here, "..", "..", "deploy", "k8s"));

const errors = [];
const fail = (where, msg) => {
  if (!errors.includes(`${where}: ${msg}`))
    errors.push(`${where}: ${msg}`);
};
const label = (d) => `${d.__file}: ${d.kind ?? "?"}/${d.metadata?.name ?? "?"}`;

// ---- reading ---------------------------------------------------------------

// Kubernetes reads YAML as go-yaml does (YAML 1.1: yes/no/on/off are
// booleans), so parse the same way.
function readYaml(file) {
  const text = fs.readFileSync(file, "utf8");
  const out = [];
  for (const doc of YAML.parseAllDocuments(text, { version: "1.1", uniqueKeys: true })) {
    for (const e of [...doc.errors, ...doc.warnings])
      fail(path.relative(dir, file), `YAML: ${e.message.split("\n")[0]}`);
    const v = doc.toJS();
    if (v === null || v === undefined)
      continue;
    if (typeof v !== "object" || Array.isArray(v)) {
      fail(path.relative(dir, file), "a document that is not a mapping");
      continue;
    }
    Object.defineProperty(v, "__file", { value: path.relative(dir, file) });
    out.push(v);
  }
  return out;
}

// kustomize's env files: KEY=VALUE, "#" comments, blank lines; the value
// is taken literally (no quote removal: a quoted value keeps its quotes,
// which is never what is meant here).
function readEnvFile(file, where) {
  const data = {};
  fs.readFileSync(file, "utf8").split("\n").forEach((line, i) => {
    const at = `${where}:${i + 1}`;
    if (/^\s*(#|$)/.test(line))
      return;
    const m = /^([A-Za-z_][A-Za-z0-9_]*)=(.*)$/.exec(line);
    if (!m)
      return fail(at, `not a KEY=VALUE line: ${line}`);
    if (/^["']/.test(m[2]))
      fail(at, `${m[1]}: kustomize keeps quotes literally; write the value bare`);
    if (m[1] in data)
      fail(at, `${m[1]} set twice`);
    data[m[1]] = m[2];
  });
  return data;
}

const KUSTOMIZATION_KEYS = new Set(["apiVersion", "kind", "resources",
  "configMapGenerator", "images"]);

function loadAll() {
  const kfile = path.join(dir, "kustomization.yaml");
  const docs = [];
  const listed = new Set(["kustomization.yaml"]);
  if (fs.existsSync(kfile)) {
    const [k] = readYaml(kfile);
    for (const key of Object.keys(k ?? {}))
      if (!KUSTOMIZATION_KEYS.has(key))
        fail("kustomization.yaml", `${key}: not understood by this validator (teach it, or do without)`);
    for (const r of k?.resources ?? []) {
      const f = path.join(dir, r);
      listed.add(path.normalize(r));
      if (!fs.existsSync(f)) {
        fail("kustomization.yaml", `resource ${r} does not exist`);
        continue;
      }
      for (const d of readYaml(f)) {
        Object.defineProperty(d, "__kustomized", { value: true });
        docs.push(d);
      }
    }
    for (const g of k?.configMapGenerator ?? []) {
      const data = {};
      for (const entry of g.files ?? []) {
        const [key, rel] = entry.includes("=") ? entry.split("=", 2) : [path.basename(entry), entry];
        const f = path.join(dir, rel);
        if (!fs.existsSync(f)) {
          fail("kustomization.yaml", `configMapGenerator ${g.name}: file ${rel} does not exist`);
          continue;
        }
        data[key] = fs.readFileSync(f, "utf8");
      }
      for (const rel of g.envs ?? []) {
        const f = path.join(dir, rel);
        listed.add(path.normalize(rel));
        if (!fs.existsSync(f)) {
          fail("kustomization.yaml", `configMapGenerator ${g.name}: env file ${rel} does not exist`);
          continue;
        }
        Object.assign(data, readEnvFile(f, rel));
      }
      for (const lit of g.literals ?? []) {
        const [key, ...rest] = lit.split("=");
        data[key] = rest.join("=");
      }
      const cm = { apiVersion: "v1", kind: "ConfigMap", metadata: { name: g.name }, data };
      Object.defineProperty(cm, "__file", { value: `kustomization.yaml (configMapGenerator ${g.name})` });
      Object.defineProperty(cm, "__kustomized", { value: true });
      docs.push(cm);
    }
    for (const d of docs)
      for (const c of containersOf(d))
        for (const img of k?.images ?? [])
          if (c.image === img.name || c.image?.startsWith(img.name + ":"))
            c.image = `${img.newName ?? img.name}:${img.newTag ?? "latest"}`;
  }
  for (const f of fs.readdirSync(dir).sort())
    if (/\.ya?ml$/.test(f) && !listed.has(f))
      docs.push(...readYaml(path.join(dir, f)));
  return docs;
}

// ---- schemas ---------------------------------------------------------------

async function modelOf(d) {
  const { apiVersion, kind } = d;
  if (typeof apiVersion !== "string" || typeof kind !== "string" ||
    !/^([a-z0-9.-]+\/)?v[0-9a-z]+$/.test(apiVersion) || !/^[A-Z][A-Za-z0-9]*$/.test(kind))
    return null;
  try {
    const mod = await import(`kubernetes-models/${apiVersion}/${kind}`);
    const Model = mod[kind];
    // Only top-level kinds carry apiVersion and kind (not "DeploymentSpec").
    return Model && Model.apiVersion === apiVersion && Model.kind === kind ? Model : null;
  } catch {
    return null;
  }
}

function schemaErrors(Model, d) {
  try {
    new Model(d).validate();
    return [];
  } catch (e) {
    return e.errors ?? [{ instancePath: "", message: e.message }];
  }
}

const pointer = (p, k) => `${p}/${String(k).replace(/~/g, "~0").replace(/\//g, "~1")}`;

// The schemas allow fields they do not declare. A field is known when the
// schema checks it: a value of the wrong type there is an error at its
// path. Each field is tried with two values no declared type accepts
// both of (true, and a string).
function unknownFields(Model, d) {
  const found = [];
  const walk = (node, p) => {
    if (Array.isArray(node))
      return node.forEach((v, i) => walk(v, `${p}/${i}`));
    if (!node || typeof node !== "object")
      return;
    for (const key of Object.keys(node)) {
      const q = pointer(p, key);
      const saved = node[key];
      let known = false;
      for (const bad of [true, "\u0001"]) {
        node[key] = bad;
        known = schemaErrors(Model, d).some((e) =>
          e.instancePath === q || e.instancePath.startsWith(q + "/"));
        if (known)
          break;
      }
      node[key] = saved;
      if (known)
        walk(saved, q);
      else
        found.push(q);
    }
  };
  walk(d, "");
  return found;
}

// ---- references ------------------------------------------------------------

function podSpecOf(d) {
  if (["Deployment", "StatefulSet", "DaemonSet", "ReplicaSet", "Job"].includes(d.kind))
    return d.spec?.template?.spec;
  if (d.kind === "CronJob")
    return d.spec?.jobTemplate?.spec?.template?.spec;
  if (d.kind === "Pod")
    return d.spec;
  return null;
}

function containersOf(d) {
  const s = podSpecOf(d);
  return s ? [...(s.initContainers ?? []), ...(s.containers ?? [])] : [];
}

const matches = (selector, labels) =>
  Object.entries(selector ?? {}).every(([k, v]) => labels?.[k] === v);

function selectorOf(d, sel) {
  if (!sel)
    return fail(label(d), "no selector"), null;
  if (sel.matchExpressions)
    fail(label(d), "matchExpressions: not checked by this validator, use matchLabels");
  if (!sel.matchLabels || !Object.keys(sel.matchLabels).length)
    return fail(label(d), "an empty selector selects every pod"), null;
  return sel.matchLabels;
}

function checkReferences(docs) {
  const byKind = (k) => docs.filter((d) => d.kind === k);
  const configMaps = new Map(byKind("ConfigMap").map((d) => [d.metadata.name, d]));
  const secrets = new Map(byKind("Secret").map((d) => [d.metadata.name, d]));
  const keysOf = (d) => new Set([...Object.keys(d.data ?? {}), ...Object.keys(d.stringData ?? {}),
    ...Object.keys(d.binaryData ?? {})]);
  const ref = (d, what, map, name, optional, key) => {
    if (optional)
      return;
    const target = map.get(name);
    if (!target)
      return fail(label(d), `${what} ${name} is not defined by any manifest`);
    if (key !== undefined && !keysOf(target).has(key))
      fail(label(d), `${what} ${name} has no key ${key}`);
  };
  const workloads = docs.filter(podSpecOf);
  for (const d of workloads) {
    const spec = podSpecOf(d);
    const volumes = new Map((spec.volumes ?? []).map((v) => [v.name, v]));
    const mounted = new Set();
    for (const v of volumes.values()) {
      if (v.configMap)
        ref(d, `volume ${v.name}: ConfigMap`, configMaps, v.configMap.name, v.configMap.optional);
      if (v.secret)
        ref(d, `volume ${v.name}: Secret`, secrets, v.secret.secretName, v.secret.optional);
    }
    for (const c of containersOf(d)) {
      const where = `${label(d)}: container ${c.name}`;
      for (const e of c.envFrom ?? []) {
        if (e.configMapRef)
          ref(d, `container ${c.name}: envFrom ConfigMap`, configMaps, e.configMapRef.name, e.configMapRef.optional);
        if (e.secretRef)
          ref(d, `container ${c.name}: envFrom Secret`, secrets, e.secretRef.name, e.secretRef.optional);
      }
      for (const e of c.env ?? []) {
        const cm = e.valueFrom?.configMapKeyRef, sk = e.valueFrom?.secretKeyRef;
        if (cm)
          ref(d, `container ${c.name}: env ${e.name}: ConfigMap`, configMaps, cm.name, cm.optional, cm.key);
        if (sk)
          ref(d, `container ${c.name}: env ${e.name}: Secret`, secrets, sk.name, sk.optional, sk.key);
      }
      for (const m of c.volumeMounts ?? []) {
        if (!volumes.has(m.name))
          fail(where, `mounts volume ${m.name}, which the pod does not have`);
        mounted.add(m.name);
      }
      const ports = new Set((c.ports ?? []).map((p) => p.name).filter(Boolean));
      for (const kind of ["readinessProbe", "livenessProbe", "startupProbe"]) {
        const p = c[kind];
        if (!p)
          continue;
        const port = p.httpGet?.port ?? p.tcpSocket?.port;
        if (typeof port === "string" && !ports.has(port))
          fail(where, `${kind}: port ${port} is not a port of this container`);
        if (p.httpGet && p.httpGet.path !== "/health")
          fail(where, `${kind}: GET ${p.httpGet.path}, not /health`);
        if (p.exec && !p.exec.command?.join(" ").includes("/health"))
          fail(where, `${kind}: the command does not ask /health`);
        if (kind === "readinessProbe" && !p.httpGet)
          fail(where, "readinessProbe: not an HTTP GET of /health");
      }
    }
    for (const v of volumes.keys())
      if (!mounted.has(v))
        fail(label(d), `volume ${v} is mounted by no container`);
    if (d.kind === "Deployment") {
      const sel = selectorOf(d, d.spec.selector);
      if (sel && !matches(sel, d.spec.template?.metadata?.labels))
        fail(label(d), "its selector does not match its pods' labels");
    }
  }
  const deployments = byKind("Deployment");
  const podsSelected = (sel) => deployments.filter((t) => matches(sel, t.spec.template?.metadata?.labels));
  for (const d of byKind("Service")) {
    if (!d.spec?.selector || !Object.keys(d.spec.selector).length) {
      fail(label(d), "no selector");
      continue;
    }
    const targets = podsSelected(d.spec.selector);
    if (!targets.length)
      fail(label(d), "its selector matches the pods of no Deployment");
    for (const p of d.spec.ports ?? [])
      if (typeof p.targetPort === "string")
        for (const t of targets)
          if (!containersOf(t).some((c) => (c.ports ?? []).some((cp) => cp.name === p.targetPort)))
            fail(label(d), `targetPort ${p.targetPort} is not a port of ${label(t)}`);
  }
  for (const d of byKind("PodDisruptionBudget")) {
    const sel = selectorOf(d, d.spec?.selector);
    if (sel && !podsSelected(sel).length)
      fail(label(d), "its selector matches the pods of no Deployment");
  }
  for (const d of byKind("HorizontalPodAutoscaler")) {
    const t = d.spec?.scaleTargetRef ?? {};
    const target = deployments.find((x) => x.metadata.name === t.name);
    if (t.kind !== "Deployment" || t.apiVersion !== "apps/v1" || !target) {
      fail(label(d), `scaleTargetRef ${t.apiVersion} ${t.kind}/${t.name}: no such Deployment`);
      continue;
    }
    for (const m of d.spec.metrics ?? [])
      if (m.type === "Resource" && m.resource?.target?.type === "Utilization")
        for (const c of containersOf(target))
          if (!c.resources?.requests?.[m.resource.name])
            fail(label(d), `${m.resource.name} utilisation needs a ${m.resource.name} request on every container of ${label(target)} (${c.name} has none)`);
  }
  for (const d of workloads)
    for (const c of containersOf(d))
      if (!c.resources?.requests || !c.resources?.limits?.memory)
        fail(`${label(d)}: container ${c.name}`, "needs resource requests and a memory limit");
}

// ---- civitas ---------------------------------------------------------------

// The pod with nginx beside the workers: the files nginx includes, the
// socket they share, the rolling update.
function checkWebPod(docs) {
  const configMaps = new Map(docs.filter((d) => d.kind === "ConfigMap").map((d) => [d.metadata.name, d]));
  const web = docs.filter((d) => d.kind === "Deployment" &&
    containersOf(d).some((c) => (c.command ?? c.args ?? [])[0] === "nginx"));
  if (web.length !== 1)
    return fail("manifests", `${web.length} Deployments run nginx, expected one (the web pods)`);
  const d = web[0], spec = podSpecOf(d), where = label(d);
  const nginx = spec.containers.find((c) => (c.command ?? c.args ?? [])[0] === "nginx");
  const app = spec.containers.find((c) => (c.command ?? c.args ?? []).join(" ") === "civitas-fcgi serve");
  if (!app)
    return fail(where, "no container runs civitas-fcgi serve");
  const volume = (c, mountPath) => {
    const m = (c.volumeMounts ?? []).find((x) => x.mountPath === mountPath);
    return m && (spec.volumes ?? []).find((v) => v.name === m.name);
  };
  // nginx's site and what it includes
  const confVol = volume(nginx, "/etc/nginx/civitas");
  const conf = confVol?.configMap && configMaps.get(confVol.configMap.name);
  if (!conf?.data?.["civitas.conf"])
    return fail(where, "nginx: no ConfigMap with civitas.conf mounted at /etc/nginx/civitas");
  const site = conf.data["civitas.conf"].replace(/#.*$/gm, "");
  for (const m of site.matchAll(/^\s*include\s+civitas\/([^;\s]+);/gm))
    if (!(m[1] in conf.data))
      fail(label(conf), `nginx/civitas.conf includes civitas/${m[1]}, which the ConfigMap does not carry`);
  // the socket: nginx's upstream, the workers' LISTEN, one shared volume
  const socks = [...site.matchAll(/^\s*server\s+unix:([^;\s]+)/gm)].map((m) => m[1]);
  const env = {};
  for (const e of app.envFrom ?? [])
    if (e.configMapRef)
      Object.assign(env, configMaps.get(e.configMapRef.name)?.data);
  for (const e of app.env ?? [])
    if (e.value !== undefined)
      env[e.name] = e.value;
  const listen = env.LISTEN ?? "unix:/run/civitas/fcgi.sock";
  if (!listen.startsWith("unix:"))
    fail(where, `LISTEN=${listen}: nginx beside the workers expects a unix socket`);
  else if (!socks.includes(listen.slice(5)))
    fail(where, `LISTEN=${listen}, but nginx/civitas.conf's upstream names ${socks.join(", ") || "no unix socket"}`);
  else {
    const sockDir = path.posix.dirname(listen.slice(5));
    const a = volume(app, sockDir), b = volume(nginx, sockDir);
    if (!a || !b || a !== b || !a.emptyDir)
      fail(where, `the socket's directory ${sockDir} must be one emptyDir mounted by both containers`);
  }
  // a rolling update that drops no request
  if (d.spec.strategy?.rollingUpdate?.maxUnavailable !== 0)
    fail(where, "rollingUpdate.maxUnavailable must be 0");
  if (!nginx.readinessProbe?.httpGet)
    fail(where, "nginx needs a readiness probe (GET /health)");
  for (const c of spec.containers) {
    if (!c.livenessProbe)
      fail(`${where}: container ${c.name}`, "no liveness probe");
    if (!c.lifecycle?.preStop)
      fail(`${where}: container ${c.name}`, "no preStop wait (the endpoints must drop the pod first)");
  }
  const sleepOf = (c) => Number((c.lifecycle?.preStop?.exec?.command ?? []).join(" ").match(/sleep\s+(\d+)/)?.[1] ?? NaN);
  const grace = spec.terminationGracePeriodSeconds ?? 30;
  // The master lets its workers finish for 30 s after SIGTERM.
  if (!(grace > 30 + (sleepOf(app) || 0)))
    fail(where, `terminationGracePeriodSeconds ${grace} must exceed the preStop wait (${sleepOf(app)} s) + the master's 30 s graceful stop`);
  if (!(sleepOf(app) > sleepOf(nginx)))
    fail(where, "the workers' preStop wait must outlast nginx's (nginx finishes its requests first)");
}

// ---- main ------------------------------------------------------------------

const docs = loadAll();
for (const d of docs) {
  const Model = await modelOf(d);
  if (!Model) {
    fail(label(d), `unknown kind: apiVersion ${d.apiVersion} kind ${d.kind}`);
    continue;
  }
  const errs = schemaErrors(Model, d);
  for (const e of errs)
    fail(label(d), `${e.instancePath || "/"} ${e.message}`);
  if (!errs.length)
    for (const p of unknownFields(Model, d))
      fail(label(d), `${p}: unknown field`);
  if (!d.metadata?.name)
    fail(label(d), "no metadata.name");
}
const names = new Set();
for (const d of docs) {
  const id = `${d.kind}/${d.metadata?.name}`;
  if (names.has(id))
    fail(label(d), "defined twice");
  names.add(id);
}
checkReferences(docs);
checkWebPod(docs);

if (asJson) {
  process.stdout.write(JSON.stringify(docs.map((d) => ({ file: d.__file, kustomized: !!d.__kustomized, ...d })), null, 1) + "\n");
} else {
  for (const e of errors)
    console.log(`error: ${e}`);
  console.log(`${docs.length} documents, ${errors.length} errors`);
}
process.exit(errors.length ? 1 : 0);
