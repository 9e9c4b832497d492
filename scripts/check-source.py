#!/usr/bin/python3
"""Checks of the source tree that the compiler cannot make.

    scripts/check-source.py layers [OBJDIR]   the layers point one way
    scripts/check-source.py sql               statements are declared, columns named
    scripts/check-source.py selftest          each check fails on a planted fault
    scripts/check-source.py all [OBJDIR]      the three (make test's "checks" suite)

layers: app/core < app/infra < app/features < app/jobs and app/main.c. A
file may use its own layer and the ones below, never one above. Two
checks: every #include "..." of app/ (a header of a higher layer is a
crossing), and, over the objects of a build (OBJDIR, default build/obj),
every undefined symbol of an object that an object of a higher layer
defines (a call or a variable reached without an include: an extern
declared by hand, a function pointer table...).

sql: every statement lives in app/infra/sql_*.def (no SQL text in a .c
file), and results are read through named column constants: no
db_str/db_long/db_bool/media_ref_read/PQgetvalue/PQgetlength call whose
column argument is a bare number.

Each check prints its findings and a closing "N passed, N failed" line;
the exit status is 1 when something failed.
"""

import os
import re
import subprocess
import sys
import tempfile

LAYERS = [("app/core/", 0, "core"), ("app/infra/", 1, "infra"),
          ("app/features/", 2, "features"), ("app/jobs/", 3, "jobs"),
          ("app/main.c", 3, "main")]
INCLUDE = re.compile(r'^\s*#\s*include\s+"([^"]+)"', re.M)


def layer_of(rel):
    for prefix, rank, name in LAYERS:
        if rel == prefix or rel.startswith(prefix):
            return rank, name
    return None


def sources(top):
    for d, _, names in os.walk(os.path.join(top, "app")):
        for n in sorted(names):
            if n.endswith((".c", ".h", ".def")):
                yield os.path.relpath(os.path.join(d, n), top)


def include_crossings(top):
    found = []
    for rel in sources(top):
        mine = layer_of(rel)
        if not mine:
            continue
        text = open(os.path.join(top, rel), encoding="utf-8").read()
        for m in INCLUDE.finditer(text):
            target = os.path.normpath(os.path.join(os.path.dirname(rel),
                                                   m.group(1)))
            theirs = layer_of(target)
            if theirs and theirs[0] > mine[0]:
                line = text.count("\n", 0, m.start()) + 1
                found.append("%s:%d: %s includes %s (%s)" % (
                    rel, line, mine[1], target, theirs[1]))
    return found


def nm(obj, *flags):
    out = subprocess.run(["nm", *flags, obj], capture_output=True,
                         text=True, check=True).stdout
    return [line.split()[-1] for line in out.splitlines() if line.strip()]


def symbol_crossings(objdir, top=None):
    """Objects of a source that no longer exists (a file moved) are
    left out."""
    objects = {}
    for d, _, names in os.walk(os.path.join(objdir, "app")):
        for n in sorted(names):
            if n.endswith(".o"):
                path = os.path.join(d, n)
                rel = os.path.relpath(path, objdir)[:-2] + ".c"
                lay = layer_of(rel)
                if lay and (top is None or
                            os.path.exists(os.path.join(top, rel))):
                    objects[path] = (rel, lay)
    defined = {}
    for path, (rel, lay) in objects.items():
        for sym in nm(path, "-g", "--defined-only"):
            defined[sym] = (rel, lay)
    found = []
    for path, (rel, lay) in sorted(objects.items()):
        for sym in nm(path, "-u"):
            where = defined.get(sym)
            if where and where[1][0] > lay[0]:
                found.append("%s (%s) uses %s of %s (%s)" % (
                    rel, lay[1], sym, where[0], where[1][1]))
    return found, len(objects)


COLUMN_CALL = re.compile(
    r"\b(db_str|db_long|db_bool|media_ref_read|PQgetvalue|PQgetlength|"
    r"PQgetisnull)\s*\(")
SQL_TEXT = re.compile(r'"\s*(SELECT\s[^"]*\sFROM\s|INSERT INTO\s|UPDATE\s+\w+'
                      r'\s+SET\s|DELETE FROM\s)', re.I)


def call_args(text, start):
    """The text between the parenthesis at start and its match."""
    depth = 0
    for i in range(start, len(text)):
        depth += text[i] == "("
        depth -= text[i] == ")"
        if depth == 0:
            return text[start + 1:i]
    return ""


def split_args(s):
    depth, cur, out = 0, "", []
    for ch in s:
        if ch == "," and depth == 0:
            out.append(cur.strip())
            cur = ""
            continue
        depth += ch in "(["
        depth -= ch in ")]"
        cur += ch
    out.append(cur.strip())
    return out


def sql_findings(top):
    found = []
    for rel in sources(top):
        if not rel.endswith(".c") or rel == "app/infra/db.c":
            continue
        text = open(os.path.join(top, rel), encoding="utf-8").read()
        for m in COLUMN_CALL.finditer(text):
            if text[:m.start()].rstrip().endswith(("int", "long", "char *")):
                continue	# a definition or declaration, not a call
            args = split_args(call_args(text, m.end() - 1))
            col = args[3] if m.group(1) == "media_ref_read" else args[-1]
            if re.fullmatch(r"\d+", col):
                line = text.count("\n", 0, m.start()) + 1
                found.append("%s:%d: %s(..., %s): a bare column number" % (
                    rel, line, m.group(1), col))
        for m in SQL_TEXT.finditer(text):
            line = text.count("\n", 0, m.start()) + 1
            found.append("%s:%d: SQL outside app/infra/sql_*.def" % (
                rel, line))
    return found


def report(findings, checked):
    for f in findings:
        print("  " + f)
    failed = 1 if findings else 0
    print("%d passed, %d failed" % (1 - failed, failed))
    return failed


def check_layers(top, objdir):
    inc = include_crossings(top)
    print("layers: includes of app/: %s" % (
        "%d crossing(s)" % len(inc) if inc else "none cross upwards"))
    for f in inc:
        print("  " + f)
    if not os.path.isdir(os.path.join(objdir, "app")):
        print("layers: no objects under %s (build first)" % objdir)
        print("0 passed, 1 failed")
        return 1
    sym, nobj = symbol_crossings(objdir, top)
    print("layers: symbols of %d objects: %s" % (
        nobj, "%d crossing(s)" % len(sym) if sym else "none cross upwards"))
    for f in sym:
        print("  " + f)
    failed = int(bool(inc)) + int(bool(sym))
    print("%d passed, %d failed" % (2 - failed, failed))
    return failed


def check_sql(top):
    found = sql_findings(top)
    print("sql: %s" % ("%d finding(s)" % len(found) if found else
                       "every statement declared, every column named"))
    return report(found, 1)


def write(path, text):
    os.makedirs(os.path.dirname(path), exist_ok=True)
    with open(path, "w", encoding="utf-8") as f:
        f.write(text)


def selftest():
    """Plant one fault of each kind in a scratch tree; each check must
    find it, and find nothing in the clean version of the same tree."""
    results = []
    with tempfile.TemporaryDirectory() as t:
        write(t + "/app/core/a.c", '#include "a.h"\nint core_fn(void) '
              '{ return 1; }\n')
        write(t + "/app/core/a.h", "int core_fn(void);\n")
        write(t + "/app/features/b.h", "int feature_fn(void);\n")
        write(t + "/app/features/b.c", '#include "../core/a.h"\n'
              '#include "b.h"\nint feature_fn(void) { return core_fn(); }\n')
        results.append(("a clean tree has no include crossing",
                        include_crossings(t) == []))
        write(t + "/app/core/a.c", '#include "a.h"\n#include '
              '"../features/b.h"\nint core_fn(void) { return 1; }\n')
        results.append(("core including a features header is found",
                        len(include_crossings(t)) == 1))
        obj = t + "/obj"

        def compile_(src, extra=""):
            o = obj + "/" + src[:-2] + ".o"
            os.makedirs(os.path.dirname(o), exist_ok=True)
            code = open(t + "/" + src).read() + extra
            subprocess.run(["cc", "-x", "c", "-I", os.path.dirname(
                t + "/" + src), "-c", "-o", o, "-"],
                           input=code, text=True, check=True)
        write(t + "/app/core/a.c", '#include "a.h"\nint core_fn(void) '
              '{ return 1; }\n')
        compile_("app/core/a.c")
        compile_("app/features/b.c")
        results.append(("clean objects have no symbol crossing",
                        symbol_crossings(obj)[0] == []))
        compile_("app/core/a.c", "int feature_fn(void);\nint core_uses"
                 "(void) { return feature_fn(); }\n")
        results.append(("core calling a features function is found",
                        len(symbol_crossings(obj)[0]) == 1))
        write(t + "/app/features/c.c", "long db_long(void *, int, int);\n"
              "long f(void *res) { return db_long(res, 0, USER_ID); }\n")
        results.append(("a named column passes", sql_findings(t) == []))
        write(t + "/app/features/c.c", "long db_long(void *, int, int);\n"
              "long f(void *res) { return db_long(res, 0, 3); }\n")
        results.append(("a bare column number is found",
                        len(sql_findings(t)) == 1))
        write(t + "/app/features/c.c", 'const char *s = "SELECT 1 FROM x";\n')
        results.append(("SQL text in a .c file is found",
                        len(sql_findings(t)) == 1))
    failed = 0
    for name, ok in results:
        print("%s   check-source selftest: %s" % ("ok" if ok else "FAIL",
                                                  name))
        failed += not ok
    print("%d passed, %d failed" % (len(results) - failed, failed))
    return 1 if failed else 0


def main(argv):
    top = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))
    cmd = argv[1] if len(argv) > 1 else ""
    if cmd == "layers":
        objdir = argv[2] if len(argv) > 2 else os.path.join(top, "build",
                                                             "obj")
        return 1 if check_layers(top, objdir) else 0
    if cmd == "sql":
        return check_sql(top)
    if cmd == "selftest":
        return selftest()
    if cmd == "all":
        import contextlib
        import io
        passed = failed = 0
        for name, fn in (("selftest", selftest),
                         ("layers", lambda: check_layers(top, argv[2] if
                                                         len(argv) > 2 else
                                                         os.path.join(
                                                             top, "build",
                                                             "obj"))),
                         ("sql", lambda: check_sql(top))):
            out = io.StringIO()
            with contextlib.redirect_stdout(out):
                fn()
            text = out.getvalue()
            last = [l for l in text.splitlines()
                    if re.match(r"^\d+ passed, \d+ failed$", l)][-1]
            p, f = int(last.split()[0]), int(last.split()[2])
            passed += p
            failed += f
            print(("ok   " if not f else "FAIL ") + "check-source " + name)
            for line in text.splitlines():
                if line is not last and not line.startswith(("ok ", "FAIL ")) \
                        and (f or name != "selftest"):
                    print("     " + line)
        print("%d passed, %d failed" % (passed, failed))
        return 1 if failed else 0
    sys.stderr.write(__doc__)
    return 2


if __name__ == "__main__":
    sys.exit(main(sys.argv))
