# SPDX-License-Identifier: MIT
"""Deployment with existing engines (issue 13, section 4): the systemd units
of deploy/systemd, the environment example deploy/env.example, and the
Kubernetes manifests of deploy/k8s.

- systemd: `systemd-analyze verify` on each unit, in a tree made by
  `make install DESTDIR=...` (verify resolves ExecStart= there; the host's
  own units are copied beside them for the targets they name). verify exits
  0 on a misspelt or wrong directive ("Unknown key ..., ignoring"), which
  would silently drop a hardening line: any message it prints fails the
  test. The hardening the issue asks is read from each unit; the reload
  command of the FastCGI unit is run against the stack's master, and
  sysusers/tmpfiles are applied to the installed tree.
- Kubernetes: test/deploy/run.sh validates every manifest offline against
  the Kubernetes schemas (npm kubernetes-models, pinned) and their
  references; broken copies must fail. The liveness command of the web
  pods is run against the stack's socket.
- The environment: every variable the C code reads is named in
  deploy/env.example, and every name there (and in the Kubernetes
  ConfigMap and Secret) is one the code reads.
"""

import atexit
import glob
import json
import os
import re
import shutil
import signal
import subprocess
import tempfile

from civitas import *
import stackctl as sc

REPO = sc.repo_root()
DEPLOY = os.path.join(REPO, "deploy")
UNITS = sorted(glob.glob(os.path.join(DEPLOY, "systemd", "*.service")))
# Read by the code, but not settings of the services: the password of
# `civitas-fcgi admin` (a command's input).
# The master's hand-over to its workers (metrics) and the names of who
# runs `civitas-fcgi degrade` (the audit) are no settings either.
NOT_SETTINGS = {"PASSWORD", "SUDO_USER", "USER", "CIVITAS_METRICS_FD",
                "CIVITAS_METRICS_SLOT"}


def systemd_tool(name):
    for d in ("/usr/bin", "/bin", "/usr/sbin", "/sbin"):
        if os.access(os.path.join(d, name), os.X_OK):
            return os.path.join(d, name)
    raise AssertionError("%s is missing (Debian package systemd, "
                         "scripts/deps.sh)" % name)


# --------------------------------------------------------------------------
# Units

def parse_unit(text):
    """{section: [(key, value)...]} of a unit file (comments, blank lines
    and backslash continuations as systemd reads them)."""
    sections, current, pending = {}, None, ""
    for raw in text.splitlines():
        line = pending + raw.strip()
        pending = ""
        if not line or line[0] in "#;":
            continue
        if line.endswith("\\"):
            pending = line[:-1] + " "
            continue
        if line.startswith("[") and line.endswith("]"):
            current = sections.setdefault(line[1:-1], [])
            continue
        key, _, value = line.partition("=")
        ok(current is not None, "directive outside a section: %r" % line)
        current.append((key.strip(), value.strip()))
    return sections


def directives(path_or_text):
    text = path_or_text
    if os.path.exists(path_or_text):
        with open(path_or_text) as fh:
            text = fh.read()
    out = {}
    for key, value in parse_unit(text).get("Service", []):
        out.setdefault(key, []).append(value)
    return out


# What every unit must say (the issue: a dedicated user, ProtectSystem=
# strict, NoNewPrivileges, PrivateTmp, MemoryMax, Restart=always; the
# brief: ProtectHome, the environment file).
REQUIRED = {
    "User": lambda v: v == "civitas",
    "NoNewPrivileges": lambda v: v == "yes",
    "PrivateTmp": lambda v: v == "yes",
    "ProtectSystem": lambda v: v == "strict",
    "ProtectHome": lambda v: v == "yes",
    "MemoryMax": lambda v: re.fullmatch(r"[0-9]+[KMGT]?", v) is not None,
    "Restart": lambda v: v == "always",
    "EnvironmentFile": lambda v: v == "/etc/civitas/env",
    "KillSignal": lambda v: v == "SIGTERM",
    "TimeoutStopSec": lambda v: v.isdigit(),
}


def hardening_problems(d):
    problems = []
    for key, good in REQUIRED.items():
        values = d.get(key, [])
        if len(values) != 1 or not good(values[0]):
            problems.append("%s=%s" % (key, "|".join(values) or "(missing)"))
    return problems


def master_graceful_seconds():
    """The master's graceful stop, read from app/core/master.c: pool_stop
    polls `tries < N` times every 100 ms."""
    with open(os.path.join(REPO, "app", "core", "master.c")) as fh:
        src = fh.read()
    body = src[src.index("pool_stop(struct pool *p)"):]
    tries = re.search(r"tries < (\d+)", body)
    step = re.search(r"struct timespec ts = \{ 0, 100 \* 1000 \* 1000 \}",
                     body)
    ok(tries and step, "master.c's pool_stop changed: read it again")
    return int(tries.group(1)) / 10


_ROOT = {}


def installed_root():
    """A tree made by `make install DESTDIR=... PREFIX=/usr`, with the
    units in etc/systemd/system and what verify needs from the host: its
    unit directory (the targets the units name) and kill (ExecReload)."""
    if "dir" in _ROOT:
        return _ROOT["dir"]
    root = tempfile.mkdtemp(prefix="civitas-deploy-")
    atexit.register(shutil.rmtree, root, True)
    bin_dir = os.environ.get("BIN_DIR") or os.path.join(REPO, "build")
    # -o assets: the stack's workers run from the same build/share, which
    # assets.sh would lay out again (the binaries are up to date).
    out = subprocess.run(
        ["make", "-s", "-C", REPO, "-o", "assets", "install",
         "O=" + os.path.relpath(bin_dir, REPO), "DESTDIR=" + root,
         "PREFIX=/usr"],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, timeout=600)
    eq(out.returncode, 0, "make install: %s" % out.stdout[-2000:])
    for name in ("civitas-fcgi", "civitas-mailer"):
        ok(os.access(os.path.join(root, "usr/bin", name), os.X_OK),
           "make install left no usr/bin/%s" % name)
    host_units = "/usr/lib/systemd/system"
    if not os.path.isdir(host_units):
        host_units = "/lib/systemd/system"
    shutil.copytree(host_units, os.path.join(root, "usr/lib/systemd/system"),
                    symlinks=True)
    kill = os.path.realpath(shutil.which("kill") or "/bin/kill")
    shutil.copy(kill, os.path.join(root, "usr/bin/kill"))
    for link in ("bin", "sbin", "lib"):
        os.symlink("usr/" + link, os.path.join(root, link))
    os.makedirs(os.path.join(root, "usr/sbin"), exist_ok=True)
    os.makedirs(os.path.join(root, "etc/systemd/system"))
    for unit in UNITS:
        shutil.copy(unit, os.path.join(root, "etc/systemd/system"))
    _ROOT["dir"] = root
    return root


def verify(root, names):
    """(exit status, messages) of systemd-analyze verify in root."""
    out = subprocess.run(
        [systemd_tool("systemd-analyze"), "verify", "--root=" + root] +
        list(names), stdout=subprocess.PIPE, stderr=subprocess.STDOUT,
        text=True, timeout=120, env=dict(os.environ, SYSTEMD_LOG_COLOR="0"))
    return out.returncode, out.stdout.strip()


def verify_clean(root, names):
    rc, messages = verify(root, names)
    return rc == 0 and messages == "", "exit %d: %s" % (rc, messages)


@test
def there_is_a_unit_for_each_long_running_process():
    names = sorted(os.path.basename(u) for u in UNITS)
    eq(names, ["civitas-fcgi.service", "civitas-mailer.service",
               "civitas-mode-follow.service"])
    eq(directives(UNITS[2])["ExecStart"],
       ["/usr/bin/civitas-fcgi mode-follow"])
    eq(directives(UNITS[0])["ExecStart"], ["/usr/bin/civitas-fcgi serve"])
    eq(directives(UNITS[1])["ExecStart"], ["/usr/bin/civitas-mailer"])
    # The mailer is the only long-running job: no other main() under
    # app/jobs (a lists worker would need its unit).
    mains = [f for f in glob.glob(os.path.join(REPO, "app", "jobs", "*.c"))
             if re.search(r"^main\(", open(f).read(), re.M)]
    eq([os.path.basename(f) for f in mains], ["mailer.c"],
       "the long-running workers of app/jobs")


@test
def units_pass_systemd_analyze_verify():
    root = installed_root()
    for unit in UNITS:
        good, why = verify_clean(root, [os.path.basename(unit)])
        ok(good, "%s: %s" % (os.path.basename(unit), why))


@test
def verify_fails_on_a_broken_unit():
    """The check can fail: a misspelt hardening directive (systemd only
    warns and goes on without it), a wrong value, a binary that is not
    installed, a unit with no [Service] section."""
    root = installed_root()
    src = os.path.join(DEPLOY, "systemd", "civitas-fcgi.service")
    with open(src) as fh:
        text = fh.read()
    breaks = [      # (a directive's whole line, what replaces it)
        (r"ProtectSystem=strict", "ProtectSytem=strict"),
        (r"Restart=always", "Restart=sometimes"),
        (r"MemoryMax=\S+", "MemoryMax=lots"),
        (r"ExecStart=/usr/bin/civitas-fcgi serve",
         "ExecStart=/usr/bin/civitas-fcgx serve"),
        (r"\[Service\]", "[Servce]"),
    ]
    unit = os.path.join(root, "etc/systemd/system/civitas-broken.service")
    try:
        for old, new in breaks:
            broken, n = re.subn("(?m)^%s$" % old, new, text)
            eq(n, 1, "lines matching %r in the unit" % old)
            with open(unit, "w") as fh:
                fh.write(broken)
            good, why = verify_clean(root, ["civitas-broken.service"])
            ok(not good, "verify accepted the unit with %r" % new)
    finally:
        os.unlink(unit)


@test
def units_carry_the_hardening():
    for unit in UNITS:
        d = directives(unit)
        eq(hardening_problems(d), [], os.path.basename(unit))
        ok(int(d["TimeoutStopSec"][0]) > master_graceful_seconds(),
           "%s: TimeoutStopSec must outlast the master's %g s graceful "
           "stop" % (os.path.basename(unit), master_graceful_seconds()))
        eq(d.get("KillMode"), ["mixed"], "%s: SIGTERM to the main process "
           "alone, which stops its workers itself" % unit)
    # the check reads what it should: a unit without one line fails it
    with open(UNITS[0]) as fh:
        text = fh.read()
    for key in REQUIRED:
        broken = re.sub(r"(?m)^%s=.*$" % key, "", text)
        ok(hardening_problems(directives(broken)),
           "the check missed the removal of %s" % key)


@test
def fcgi_unit_socket_reachable_by_nginx_only():
    d = directives(os.path.join(DEPLOY, "systemd", "civitas-fcgi.service"))
    eq(d.get("RuntimeDirectory"), ["civitas"])
    eq(d.get("RuntimeDirectoryMode"), ["0750"])
    eq(d.get("Group"), ["civitas"])
    eq(d.get("UMask"), ["0007"])
    with open(os.path.join(DEPLOY, "systemd", "civitas.sysusers")) as fh:
        sysusers = [line.split() for line in fh
                    if line.strip() and not line.startswith("#")]
    ok(["m", "www-data", "civitas"] in sysusers,
       "nginx's user www-data must be in the group civitas")


@test
def fcgi_unit_timeout_covers_the_masters_graceful_stop():
    eq(master_graceful_seconds(), 30.0)


@test
def reload_is_the_masters_graceful_sighup():
    """ExecReload= sends SIGHUP to the master: run it as systemd would
    ($MAINPID = the stack's master) and watch a new generation of workers
    replace the old one, the master staying."""
    d = directives(os.path.join(DEPLOY, "systemd", "civitas-fcgi.service"))
    eq(d.get("ExecReload"), ["/bin/kill -HUP $MAINPID"])
    master = sc.master_pid()
    old = sc.wait_workers()
    argv = [a.replace("$MAINPID", str(master))
            for a in d["ExecReload"][0].split()]
    argv[0] = shutil.which("kill") or argv[0]
    mark = sc.log_offset()
    eq(subprocess.run(argv, timeout=10).returncode, 0, " ".join(argv))
    new = sc.wait_workers(exclude=old)
    eq(sc.master_pid(), master, "the reload must keep the master")
    ok(not set(new) & set(old), "every worker replaced")
    contains(sc.log_since(mark), "SIGHUP: starting generation")
    status(fcgi_request("GET", "/health"), 200)
    # The mailer has no SIGHUP handler (SIGHUP would end it): no reload.
    m = directives(os.path.join(DEPLOY, "systemd", "civitas-mailer.service"))
    eq(m.get("ExecReload"), None, "civitas-mailer.service")


@test
def sysusers_and_tmpfiles_make_the_user_and_directories():
    root = installed_root()
    etc = os.path.join(root, "etc")
    for f in ("passwd", "group"):
        shutil.copy("/etc/" + f, os.path.join(etc, f))
    os.makedirs(os.path.join(etc, "civitas"), exist_ok=True)
    env = os.path.join(etc, "civitas", "env")
    shutil.copy(os.path.join(DEPLOY, "env.example"), env)
    os.chmod(env, 0o644)
    out = subprocess.run(
        [systemd_tool("systemd-sysusers"), "--root=" + root,
         os.path.join(DEPLOY, "systemd", "civitas.sysusers")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=60)
    eq(out.returncode, 0, out.stdout)
    users = {line.split(":")[0]: line.strip().split(":")
             for line in open(os.path.join(etc, "passwd"))}
    groups = {line.split(":")[0]: line.strip().split(":")
              for line in open(os.path.join(etc, "group"))}
    ok("civitas" in users, "no user civitas")
    eq(users["civitas"][6], "/usr/sbin/nologin")
    ok("www-data" in groups["civitas"][3].split(","),
       "www-data not in the group civitas: %r" % groups["civitas"])
    out = subprocess.run(
        [systemd_tool("systemd-tmpfiles"), "--root=" + root, "--create",
         os.path.join(DEPLOY, "systemd", "civitas.tmpfiles")],
        stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
        timeout=60)
    eq(out.returncode, 0, out.stdout)
    st = os.stat(os.path.join(root, "var/lib/civitas"))
    eq((st.st_uid, oct(st.st_mode & 0o7777)), (int(users["civitas"][2]),
                                               "0o750"), "/var/lib/civitas")
    st = os.stat(env)
    eq((st.st_uid, oct(st.st_mode & 0o7777)), (0, "0o600"),
       "/etc/civitas/env must be root's alone")


# --------------------------------------------------------------------------
# The environment

def variables_read():
    """Every environment variable the C code reads: getenv("X"),
    env_or("X", ...) and any other *env*("X"...) helper; in
    app/core/config.c, any string that is a bare upper-case name (whatever
    helper reads it)."""
    names = set()
    for path in glob.glob(os.path.join(REPO, "app", "**", "*.c"),
                          recursive=True):
        with open(path, encoding="utf-8") as fh:
            src = fh.read()
        names |= set(re.findall(r'\b\w*env\w*\(\s*"([A-Z][A-Z0-9_]+)"',
                                src, re.I))
        if os.path.basename(path) == "config.c":
            names |= set(re.findall(r'"([A-Z][A-Z0-9]*_[A-Z0-9_]+|[A-Z]{3,})"',
                                    src))
    return names - NOT_SETTINGS


def example_names(text):
    """Names set, or shown commented out, in an environment file."""
    return set(re.findall(r"(?m)^#?([A-Z][A-Z0-9_]+)=", text))


def env_example():
    with open(os.path.join(DEPLOY, "env.example"), encoding="utf-8") as fh:
        return fh.read()


@test
def env_example_names_every_variable_the_code_reads():
    read = variables_read()
    for must in ("APP_SECRET", "DATABASE_URL", "WORKERS", "LISTEN",
                 "MAIL_CONNECTIONS", "PAYBOX_HMAC_KEY"):
        ok(must in read, "the grep of the C code misses %s" % must)
    text = env_example()
    eq(sorted(read - example_names(text)), [], "missing from env.example")
    eq(sorted(example_names(text) - read), [],
       "in env.example but read by no code")
    # the check fails when a variable is left out
    for name in ("WORKERS", "PAYBOX_SITE"):
        cut = re.sub(r"(?m)^#?%s=.*$" % name, "", text)
        ok(name in read - example_names(cut), "missed %s" % name)


@test
def env_example_holds_no_secret():
    values = dict(re.findall(r"(?m)^([A-Z][A-Z0-9_]+)=(.*)$", env_example()))
    for name in ("APP_SECRET", "BOUNCE_WEBHOOK_SECRET", "PAYBOX_HMAC_KEY"):
        eq(values.get(name), "", "%s must be left empty" % name)
    ok(not re.search(r"//[^/@]*:[^/@]*@", values["DATABASE_URL"]),
       "a password in DATABASE_URL")


# --------------------------------------------------------------------------
# Kubernetes

def validator(directory=None, json_out=False):
    argv = [os.path.join(REPO, "test", "deploy", "run.sh")]
    if json_out:
        argv.append("--json")
    if directory:
        argv.append(directory)
    out = subprocess.run(argv, stdout=subprocess.PIPE,
                         stderr=subprocess.PIPE, text=True, timeout=600)
    return out.returncode, out.stdout, out.stderr


_DOCS = {}


def manifests():
    if "docs" not in _DOCS:
        rc, out, err = validator(json_out=True)
        eq(rc, 0, "validator: %s %s" % (out[-3000:], err[-2000:]))
        _DOCS["docs"] = json.loads(out)
    return _DOCS["docs"]


def doc(kind, name):
    found = [d for d in manifests()
             if d["kind"] == kind and d["metadata"]["name"] == name]
    eq(len(found), 1, "%s/%s in deploy/k8s" % (kind, name))
    return found[0]


@test
def k8s_manifests_validate_against_the_schemas():
    rc, out, err = validator()
    eq(rc, 0, "deploy/k8s: %s %s" % (out[-3000:], err[-2000:]))
    contains(out, " 0 errors")
    kinds = sorted({(d["apiVersion"], d["kind"]) for d in manifests()})
    for want in [("apps/v1", "Deployment"), ("autoscaling/v2",
                 "HorizontalPodAutoscaler"), ("policy/v1",
                 "PodDisruptionBudget"), ("v1", "Service"),
                 ("v1", "ConfigMap"), ("v1", "Secret"), ("batch/v1", "Job")]:
        ok(want in kinds, "no %s %s in deploy/k8s" % want)


@test
def k8s_validator_fails_on_broken_manifests():
    """Each broken copy of deploy/k8s must be refused, with its reason
    (every occurrence of the text is replaced)."""
    breaks = [
        ("web.yaml", "replicas: 3", "replicas: three",
         "/spec/replicas must be integer"),                  # wrong type
        ("web.yaml", "        - name: nginx\n", "        - image: x\n",
         "must have required property"),                     # required field
        ("web.yaml", "replicas: 3", "replica: 3",
         "/spec/replica: unknown field"),                    # misspelt field
        ("pdb.yaml", "kind: PodDisruptionBudget", "kind: PodDisruptionBudgt",
         "unknown kind"),
        ("web.yaml", "path: /health", "path: /healthz", "not /health"),
        ("pdb.yaml", "component: web", "component: wbe",
         "matches the pods of no Deployment"),
        ("service.yaml", "component: web", "component: wbe",
         "matches the pods of no Deployment"),
        ("hpa.yaml", "    name: civitas-web\n", "    name: civitas-webb\n",
         "no such Deployment"),
        ("web.yaml", "name: civitas-nginx\n", "name: civitas-ngnix\n",
         "ConfigMap civitas-ngnix is not defined"),
        ("mailer.yaml", "name: civitas-secrets", "name: civitas-secret",
         "Secret civitas-secret is not defined"),
        ("migrate-job.yaml", "key: DATABASE_URL", "key: DATABASE_URI",
         "has no key DATABASE_URI"),
        ("web.yaml", "maxUnavailable: 0", "maxUnavailable: 1",
         "maxUnavailable must be 0"),
        ("web.yaml", "terminationGracePeriodSeconds: 60",
         "terminationGracePeriodSeconds: 30", "terminationGracePeriodSeconds"),
        ("kustomization.yaml", "- security-headers.conf=", "- headers.conf=",
         "includes civitas/security-headers.conf"),
        ("civitas.env", "LISTEN=unix:/run/civitas/fcgi.sock",
         "LISTEN=unix:/run/civitas/other.sock", "upstream names"),
    ]
    base = tempfile.mkdtemp(prefix="civitas-k8s-")
    try:
        # the nginx files are generated into a ConfigMap from ../../nginx
        shutil.copytree(os.path.join(REPO, "nginx"),
                        os.path.join(base, "nginx"))
        copy = os.path.join(base, "deploy", "k8s")
        shutil.copytree(os.path.join(DEPLOY, "k8s"), copy)
        rc, out, err = validator(copy)
        eq(rc, 0, "the unbroken copy: %s %s" % (out, err))
        for f, old, new, reason in breaks:
            path = os.path.join(copy, f)
            with open(path) as fh:
                text = fh.read()
            ok(old in text, "%r is not in %s" % (old, f))
            try:
                with open(path, "w") as fh:
                    fh.write(text.replace(old, new))
                rc, out, err = validator(copy)
            finally:
                with open(path, "w") as fh:
                    fh.write(text)
            ok(rc != 0, "%s with %r was accepted: %s" % (f, new, out))
            contains(out, reason, "%s with %r" % (f, new))
    finally:
        shutil.rmtree(base)


@test
def k8s_environment_names_only_variables_the_code_reads():
    read = variables_read()
    env = doc("ConfigMap", "civitas-env")["data"]
    secret = doc("Secret", "civitas-secrets")["stringData"]
    eq(sorted(set(env) - read), [], "ConfigMap civitas-env")
    eq(sorted(set(secret) - read), [], "Secret civitas-secrets")
    eq(sorted(set(env) & set(secret)), [], "set in both")
    for name in ("APP_SECRET", "DATABASE_URL"):
        ok(name in secret, "%s belongs in the Secret" % name)
    # The template cannot run as is: the workers refuse an APP_SECRET
    # shorter than 32 characters (core/config.c).
    ok(len(secret["APP_SECRET"]) < 32, "a usable APP_SECRET in the template")


def liveness_command(pod_doc, container):
    spec = pod_doc["spec"]["template"]["spec"]
    c = [x for x in spec["containers"] if x["name"] == container][0]
    return c["livenessProbe"]["exec"]["command"]


@test
def k8s_worker_liveness_asks_health_and_survives_an_outage():
    """The web pods' liveness command, run against the stack's socket:
    alive while the workers answer /health, 200 or 503 (Redis stopped:
    a restart would not cure that), dead when nothing answers."""
    argv = liveness_command(doc("Deployment", "civitas-web"), "civitas")
    contains(" ".join(argv), "/run/civitas/fcgi.sock")
    here = [a.replace("/run/civitas/fcgi.sock", fcgi_socket_path())
            for a in argv]
    nowhere = [a.replace("/run/civitas/fcgi.sock",
                         os.path.join(run_dir(), "nobody.sock"))
               for a in argv]

    def alive(cmd):
        return subprocess.run(cmd, stdout=subprocess.DEVNULL,
                              stderr=subprocess.DEVNULL,
                              timeout=30).returncode == 0

    ok(alive(here), "liveness failed with the workers up")
    ok(not alive(nowhere), "liveness passed with no socket")
    try:
        sc.stop_redis()
        status(fcgi_request("GET", "/health"), 503)
        ok(alive(here), "liveness failed while Redis is down (503)")
    finally:
        sc.restore_stack()


# --------------------------------------------------------------------------
# The image (deploy/Containerfile is not built here: no container engine)

@test
def containerfile_matches_the_build_and_the_manifests():
    with open(os.path.join(DEPLOY, "Containerfile")) as fh:
        image = fh.read()
    with open(os.path.join(REPO, "scripts", "deps.sh")) as fh:
        deps = fh.read()
    # every library the build needs here (deps.sh) is in the image's build
    # (but libFuzzer's runtime, for make fuzz)
    dev = set(re.findall(r"\b(lib[a-z0-9.+-]+-dev)\b", deps)) - {
        "libclang-rt-14-dev"}
    ok(dev, "no -dev package found in scripts/deps.sh")
    eq(sorted(dev - set(re.findall(r"\b(lib[a-z0-9.+-]+-dev)\b", image))),
       [], "build dependencies missing from deploy/Containerfile")
    contains(image, "make install CHECKS=0 PREFIX=/usr")
    # the ids and paths the manifests rely on
    contains(image, "--uid 10001")
    contains(image, "--gid 10001")
    contains(image, "usermod -a -G civitas www-data")
    contains(image, "/usr/share/civitas/scripts/migrate.sh")
    contains(image, "libfcgi-bin")       # cgi-fcgi, the liveness probe
    for d in manifests():
        if d["kind"] not in ("Deployment", "Job"):
            continue
        spec = d["spec"]["template"]["spec"]
        for c in spec["containers"]:
            user = c.get("securityContext", {}).get("runAsUser")
            ok(user in (0, 10001), "%s: runAsUser %r" % (c["name"], user))
            if c["name"] == "migrate":
                eq(c["args"], ["/usr/share/civitas/scripts/migrate.sh"])
        if d["metadata"]["name"] == "civitas-web":
            eq(spec["securityContext"]["fsGroup"], 10001)
