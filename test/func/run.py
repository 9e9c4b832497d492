#!/usr/bin/python3
# SPDX-License-Identifier: MIT
"""Run the functional tests against the running stack.

    /usr/bin/python3 test/func/run.py [test_module ...]

Without arguments every test/func/test_*.py is run (sorted by name).
Arguments select modules: "test_signup", "signup" or "test_signup.py".
Environment: see test/lib/civitas.py (CIVITAS_VAR, HTTP_PORT, TEST_FILTER,
TEST_SKIP_SLOW, TEST_TIMEOUT...).  Exit code 0 only when nothing failed and
at least one test passed.
"""

import os
import sys

sys.dont_write_bytecode = True   # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(os.path.dirname(HERE), "lib"))
sys.path.insert(0, HERE)

import civitas  # noqa: E402


def module_name(arg):
    name = os.path.basename(arg)
    if name.endswith(".py"):
        name = name[:-3]
    if not name.startswith("test_"):
        name = "test_" + name
    return name


def main(argv):
    available = sorted(n[:-3] for n in os.listdir(HERE)
                       if n.startswith("test_") and n.endswith(".py"))
    if argv:
        wanted = [module_name(a) for a in argv]
        unknown = [w for w in wanted if w not in available]
        if unknown:
            sys.stderr.write("unknown test module(s): %s (available: %s)\n"
                             % (", ".join(unknown),
                                ", ".join(available) or "none"))
            return 2
    else:
        wanted = available
    return civitas.run(wanted)


if __name__ == "__main__":
    sys.exit(main(sys.argv[1:]))
