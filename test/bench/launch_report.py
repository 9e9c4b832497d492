#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""`make bench-launch` (scripts/bench-launch.sh): figures and tables.

    launch_report.py snap VAR OUT     CPU ticks of the stack's processes
    launch_report.py step STEPDIR     one step's table; STEPDIR/result.json
    launch_report.py summary LDIR     the final Markdown block (all steps)

VAR is the bench stack's directory (run/*.pid, PostgreSQL's data from
DATABASE_URL). A step's directory holds: params (KEY VALUE lines: name,
rate, mode, seconds, p99_ms, signups_db, applied_db), kinds (the kinds
table of the script: NAME SHARE MODE DATA EXPECT BUDGET METHOD ROUTE),
KIND.out (wrk's output with launch_mix.lua's "kv" lines), cpu.before,
cpu.after (snap) and metrics.before, metrics.after (GET /metrics).

A step is sustained when every kind got at least 90 % of its rate as the
answers it should get, with no error (an unexpected status, a timeout, a
socket error) and a p99 within the bound. In degraded mode the forms'
503 is their expected answer, counted as "refused (degraded)"."""

import json
import os
import re
import sys

GROUPS = ("nginx", "workers", "postgres", "redis", "mailer")
MISS = 0.9	# a kind below 90 % of its rate missed it


def ticks_of(pid):
    """utime + stime of pid, and cutime + cstime (its reaped children)."""
    with open("/proc/%d/stat" % pid) as f:
        fields = f.read().rsplit(")", 1)[1].split()
    # fields[0] is the state (field 3): utime is field 14, i.e. [11]
    return int(fields[11]) + int(fields[12]), int(fields[13]) + int(fields[14])


def children_map():
    kids = {}
    for d in os.listdir("/proc"):
        if not d.isdigit():
            continue
        try:
            with open("/proc/%s/stat" % d) as f:
                ppid = int(f.read().rsplit(")", 1)[1].split()[1])
        except (OSError, ValueError, IndexError):
            continue
        kids.setdefault(ppid, []).append(int(d))
    return kids


def tree_ticks(root, kids):
    """The CPU ticks of root and its descendants, those reaped included
    (through root's cutime)."""
    total = 0
    try:
        own, reaped = ticks_of(root)
        total = own + reaped
    except (OSError, ValueError, IndexError):
        return 0
    stack = list(kids.get(root, []))
    while stack:
        p = stack.pop()
        try:
            total += ticks_of(p)[0]
        except (OSError, ValueError, IndexError):
            continue
        stack.extend(kids.get(p, []))
    return total


def read_pid(path):
    try:
        with open(path) as f:
            return int(f.readline().strip())
    except (OSError, ValueError):
        return None


def snap(var, out):
    kids = children_map()
    run = os.path.join(var, "run")
    roots = {"nginx": read_pid(os.path.join(run, "nginx.pid")),
             "workers": read_pid(os.path.join(run, "fcgi.pid")),
             "redis": read_pid(os.path.join(run, "redis.pid")),
             "mailer": read_pid(os.path.join(run, "mailer.pid"))}
    m = re.search(r"host=([^&\s']+)", os.environ.get("DATABASE_URL", ""))
    if m:
        roots["postgres"] = read_pid(os.path.join(
            os.path.dirname(m.group(1)), "data", "postmaster.pid"))
    res = {g: tree_ticks(p, kids) if p else 0 for g, p in roots.items()}
    smtp = read_pid(os.path.join(run, "smtp.pid"))	# the SMTP sink
    if smtp:
        res["mailer"] = res.get("mailer", 0) + tree_ticks(smtp, kids)
    with open("/proc/stat") as f:
        cpu = [int(x) for x in f.readline().split()[1:]]
    res["busy"] = sum(cpu) - cpu[3] - cpu[4]	# all but idle and iowait
    res["all"] = sum(cpu)
    with open(out, "w") as f:
        json.dump(res, f)


def read_kv(path):
    kv = {}
    try:
        with open(path) as f:
            for line in f:
                p = line.split()
                if len(p) == 3 and p[0] == "kv":
                    kv[p[1]] = float(p[2])
    except OSError:
        pass
    return kv


def read_params(path):
    with open(path) as f:
        return dict(line.rstrip("\n").split(" ", 1) for line in f if " " in line)


def read_kinds(path):
    kinds = []
    with open(path) as f:
        for line in f:
            p = line.split()
            if len(p) >= 8 and not p[0].startswith("#"):
                kinds.append({"name": p[0], "share": float(p[1]),
                              "mode": p[2], "expect": int(p[4]),
                              "method": p[6], "route": p[7]})
    return kinds


def read_metrics(path):
    """Requests answered by the workers, by (method, route); the outbox."""
    by, outbox = {}, None
    rx = re.compile(r'^civitas_http_requests_total\{method="([^"]*)",'
                    r'route="([^"]*)",status="([^"]*)"\} (\S+)')
    try:
        with open(path) as f:
            for line in f:
                m = rx.match(line)
                if m:
                    k = (m.group(1), m.group(2))
                    by[k] = by.get(k, 0) + float(m.group(4))
                elif line.startswith('civitas_outbox_messages{state="waiting"}'):
                    outbox = float(line.split()[1])
    except OSError:
        pass
    return by, outbox


def step(sd):
    par = read_params(os.path.join(sd, "params"))
    kinds = read_kinds(os.path.join(sd, "kinds"))
    rate, secs = float(par["rate"]), float(par["seconds"])
    degraded = par["mode"] == "degraded"
    bound = float(par["p99_ms"])
    mb, _ = read_metrics(os.path.join(sd, "metrics.before"))
    ma, outbox = read_metrics(os.path.join(sd, "metrics.after"))
    rows, why = [], []
    for k in kinds:
        kv = read_kv(os.path.join(sd, k["name"] + ".out"))
        asked = rate * k["share"] / 100
        n = kv.get("requests", 0)
        dur = kv.get("seconds", secs) or secs
        timeouts = kv.get("timeouts", 0)
        sockerr = kv.get("sockerr", 0)
        refused, unexpected = 0, {}
        if k["mode"] == "get":
            ok = n - kv.get("non2xx3xx", 0)
            bad = kv.get("non2xx3xx", 0)
        else:
            st = {int(s[7:]): v for s, v in kv.items()
                  if s.startswith("status_")}
            ok = st.get(k["expect"], 0)
            if degraded:
                refused = st.get(503, 0)
            bad = sum(st.values()) - ok - refused
            unexpected = {c: v for c, v in st.items() if c != k["expect"]
                          and not (degraded and c == 503)}
        errors = bad + timeouts + sockerr
        served = (ok + refused) / dur if dur else 0
        workers = ma.get((k["method"], k["route"]), 0) - \
            mb.get((k["method"], k["route"]), 0)
        row = {"kind": k["name"], "share": k["share"], "asked": asked,
               "rps": n / dur if dur else 0, "ok": ok,
               "ok_rps": ok / dur if dur else 0, "meant_rps": served,
               "refused": refused, "errors": errors, "bad_status": bad,
               "timeouts": timeouts, "sockerr": sockerr,
               "p50": kv.get("p50_ms"), "p99": kv.get("p99_ms"),
               # (the workers also count requests still in flight when
               # wrk stopped: never below 0)
               "cache": max(0.0, 1 - workers / n)
               if n and k["mode"] == "get" else None,
               "ran": bool(kv)}
        rows.append(row)
        if not kv:
            why.append("%s: wrk printed nothing" % k["name"])
            continue
        if served < MISS * asked:
            why.append("%s at %.1f/s of %.1f" % (k["name"], served, asked))
        if errors:
            what = ["%d x %d" % (v, c) for c, v in sorted(unexpected.items())]
            if k["mode"] == "get" and bad:
                what.append("%d not 2xx/3xx" % bad)
            if timeouts:
                what.append("%d timeouts" % timeouts)
            if sockerr:
                what.append("%d socket errors" % sockerr)
            why.append("%s: %d errors (%s)" % (k["name"], errors,
                                                ", ".join(what)))
        if row["p99"] is not None and row["p99"] > bound:
            why.append("%s p99 %.0f ms" % (k["name"], row["p99"]))
    cpu = {}
    try:
        with open(os.path.join(sd, "cpu.before")) as f:
            b = json.load(f)
        with open(os.path.join(sd, "cpu.after")) as f:
            a = json.load(f)
        wall = float(par.get("wall", secs)) or secs
        hz = os.sysconf("SC_CLK_TCK")
        for g in GROUPS:
            cpu[g] = (a.get(g, 0) - b.get(g, 0)) / hz / wall
        ours = sum(cpu.values())
        cpu["busy"] = (a["busy"] - b["busy"]) / hz / wall
        cpu["other"] = max(0.0, cpu["busy"] - ours)
    except (OSError, ValueError, KeyError):
        pass
    signups = float(par.get("signups_db", 0))
    res = {"name": par["name"], "rate": rate, "mode": par["mode"],
           "seconds": secs, "rows": rows, "why": why,
           "sustained": not why, "cpu": cpu, "outbox": outbox,
           "signups_db": signups,
           "signups_db_rps": signups / secs if secs else 0,
           "applied_db": float(par.get("applied_db", 0)),
           "total_ok_rps": sum(r["meant_rps"] for r in rows),
           "total_rps": sum(r["rps"] for r in rows)}
    with open(os.path.join(sd, "result.json"), "w") as f:
        json.dump(res, f, indent=1)
    print(text_table(res))


def fmt(v, spec="%.1f"):
    return "-" if v is None else spec % v


def text_table(res):
    out = ["step %s: %s req/s asked, %s, %d s" % (
        res["name"], fmt(res["rate"], "%.0f"), res["mode"], res["seconds"])]
    hdr = "%-9s %8s %9s %9s %8s %8s %8s %7s %7s" % (
        "kind", "asked/s", "answers/s", "as-meant/s", "p50 ms", "p99 ms",
        "refused", "errors", "cache")
    out.append(hdr)
    for r in res["rows"]:
        out.append("%-9s %8.1f %9.1f %10.1f %8s %8s %8d %7d %7s" % (
            r["kind"], r["asked"], r["rps"], r["meant_rps"],
            fmt(r["p50"], "%.2f"), fmt(r["p99"], "%.2f"), r["refused"],
            r["errors"], "-" if r["cache"] is None else
            "%.0f%%" % (100 * r["cache"])))
    out.append("total     %8.0f %9.1f; sign-ups in PostgreSQL %.1f/s (%d); applications in PostgreSQL %d" % (
        res["rate"], res["total_rps"], res["signups_db_rps"], res["signups_db"],
        res["applied_db"]))
    if res["cpu"]:
        c = res["cpu"]
        out.append("CPU (cores): " + ", ".join("%s %.2f" % (g, c[g]) for g in
                   GROUPS + ("other",) if g in c) +
                   "; machine busy %.2f; outbox waiting %s" % (
                       c.get("busy", 0), fmt(res["outbox"], "%.0f")))
    out.append("=> " + ("sustained" if res["sustained"] else
                        "not sustained: " + "; ".join(res["why"])))
    return "\n".join(out)


def load_steps(ldir):
    steps = []
    sdir = os.path.join(ldir, "steps")
    for name in sorted(os.listdir(sdir), key=lambda s: (len(s), s)):
        p = os.path.join(sdir, name, "result.json")
        if os.path.exists(p):
            with open(p) as f:
                steps.append(json.load(f))
    return steps


def md_rows(res):
    out = ["| kind | share | asked/s | answered as meant/s | p50 ms | p99 ms | "
           "refused (degraded) | errors | served by nginx's cache |",
           "|---|---:|---:|---:|---:|---:|---:|---:|---:|"]
    for r in res["rows"]:
        out.append("| %s | %.0f %% | %.1f | %.1f | %s | %s | %d | %d | %s |" % (
            r["kind"], r["share"], r["asked"], r["meant_rps"],
            fmt(r["p50"], "%.2f"), fmt(r["p99"], "%.2f"), r["refused"],
            r["errors"],
            "-" if r["cache"] is None else "%.0f %%" % (100 * r["cache"])))
    return out


def summary(ldir):
    steps = load_steps(ldir)
    par = read_params(os.path.join(ldir, "run.params"))
    normal = [s for s in steps if s["mode"] == "normal"]
    deg = [s for s in steps if s["mode"] == "degraded"]
    sustained = [s for s in normal if s["sustained"]]
    last = max(sustained, key=lambda s: s["rate"]) if sustained else None
    failed = sorted((s for s in normal if not s["sustained"]),
                    key=lambda s: s["rate"])
    out = ["<!-- bench-launch:start -->",
           "Measured by `make bench-launch` on %s: %s cores, %s workers, "
           "steps of %s s; the mix: %s." % (
               par.get("date", "?"), par.get("cores", "?"),
               par.get("workers", "?"), par.get("seconds", "?"),
               par.get("mix", "?")), ""]
    out.append("| step (req/s asked) | req/s answered | as meant | sign-ups/s "
               "(PostgreSQL) | p99 home / sign-up ms | CPU nginx / workers / "
               "PostgreSQL / other (cores) | verdict |")
    out.append("|---:|---:|---:|---:|---:|---|---|")
    for s in normal:
        p = {r["kind"]: r for r in s["rows"]}
        c = s["cpu"] or {}
        out.append("| %.0f | %.0f | %.0f | %.1f | %s / %s | %s | %s |" % (
            s["rate"], s["total_rps"], s["total_ok_rps"], s["signups_db_rps"],
            fmt(p.get("home", {}).get("p99"), "%.1f"),
            fmt(p.get("signup", {}).get("p99"), "%.0f"),
            " / ".join("%.2f" % c.get(g, 0) for g in
                       ("nginx", "workers", "postgres", "other")) if c else "-",
            "sustained" if s["sustained"] else "**not sustained**: " +
            "; ".join(s["why"][:3]) + (" ..." if len(s["why"]) > 3 else "")))
    out.append("")
    if last:
        out.append("**Last sustained step: %.0f req/s** (%.0f answered as "
                   "meant), **%.1f sign-ups/s** counted in PostgreSQL:" % (
                       last["rate"], last["total_ok_rps"],
                       last["signups_db_rps"]))
        out.append("")
        out.extend(md_rows(last))
    else:
        out.append("**No step was sustained** (the first: %s)." % (
            "; ".join(normal[0]["why"]) if normal else "none ran"))
    if failed:
        f = failed[0]
        out.append("")
        out.append("First step not sustained, %.0f req/s: %s." % (
            f["rate"], "; ".join(f["why"])))
        out.append("")
        out.extend(md_rows(f))
    for d in deg:
        out.append("")
        out.append("**Degraded mode on** (`civitas-fcgi degrade on`), %.0f "
                   "req/s asked: %.0f answered as meant (forms refused with "
                   "503 by design), sign-ups in PostgreSQL %d; %s." % (
                       d["rate"], d["total_ok_rps"], d["signups_db"],
                       "sustained" if d["sustained"] else
                       "not sustained: " + "; ".join(d["why"])))
        out.append("")
        out.extend(md_rows(d))
    out.append("<!-- bench-launch:end -->")
    print("\n".join(out))
    # A kind that never got one successful answer in normal mode: the
    # bench measured nothing for it.
    dead = [k["kind"] for k in (normal[0]["rows"] if normal else [])
            if not any(r["kind"] == k["kind"] and r["ok"] > 0
                       for s in normal for r in s["rows"])]
    if deg:
        dead += ["%s (degraded)" % r["kind"] for r in deg[-1]["rows"]
                 if r["ok"] + r["refused"] == 0]
    if not normal:
        dead.append("(no step ran)")
    if dead:
        sys.stderr.write("bench-launch: no successful request at all for: "
                         "%s\n" % ", ".join(dead))
        sys.exit(1)


if __name__ == "__main__":
    cmd = sys.argv[1]
    if cmd == "snap":
        snap(sys.argv[2], sys.argv[3])
    elif cmd == "step":
        step(sys.argv[2])
    elif cmd == "summary":
        summary(sys.argv[2])
    else:
        sys.exit("usage: launch_report.py snap|step|summary ...")
