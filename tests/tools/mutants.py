#!/usr/bin/env python3
"""mutants.py -- `make mutants`: deliberate bugs the test suite must catch.

    tests/tools/mutants.py [BUILD_DIR] [--only NAME ...]

Reads tests/mutants.txt (blocks of `name:`, `file:`, `find:`, `replace:`,
`tests:` lines; `find`/`replace` may repeat for one mutant, each pair
applied in turn).  The tracked source tree is copied once into
BUILD_DIR/mutants/src and built in BUILD_DIR/mutants/build.  Then, for each
mutant: the pristine file is restored, each `find` text (which must occur
exactly once) is replaced, the tree is rebuilt incrementally, and the
listed tests are run under ctest with the PostgreSQL fixture.  A mutant is
killed when a listed test fails; it survives when they all pass.  The
listed tests are first run on the unmutated copy: a kill means something
only if they pass there.

Prints a table (mutant, test that killed it, seconds) and exits 1 when a
mutant survived or did not apply.  Standard library only.
"""
import os
import re
import shutil
import subprocess
import sys
import time

ROOT = os.path.abspath(os.path.join(os.path.dirname(__file__), "..", ".."))


def parse(path):
    mutants, cur = [], None
    with open(path, encoding="utf-8") as f:
        for n, raw in enumerate(f, 1):
            line = raw.rstrip("\n")
            if not line.strip() or line.startswith("#"):
                continue
            key, sep, value = line.partition(":")
            if not sep or key not in ("name", "file", "find", "replace",
                                      "tests", "why"):
                sys.exit("%s:%d: expected name/file/find/replace/tests/why"
                         % (path, n))
            value = value[1:] if value.startswith(" ") else value
            value = value.replace("\\n", "\n").replace("\\t", "\t")
            if key == "name":
                cur = {"name": value, "edits": [], "tests": [], "why": ""}
                mutants.append(cur)
            elif cur is None:
                sys.exit("%s:%d: %s before any name" % (path, n, key))
            elif key == "find":
                cur["edits"].append([value, None])
            elif key == "replace":
                if not cur["edits"] or cur["edits"][-1][1] is not None:
                    sys.exit("%s:%d: replace without find" % (path, n))
                cur["edits"][-1][1] = value
            elif key == "tests":
                cur["tests"] = value.split()
            else:
                cur[key] = value
    for m in mutants:
        if "file" not in m or not m["edits"] or not m["tests"] or any(
                r is None for _, r in m["edits"]):
            sys.exit("mutant %s: needs file, find/replace and tests"
                     % m["name"])
    return mutants


def run(cmd, cwd, log):
    with open(log, "w") as out:
        return subprocess.call(cmd, cwd=cwd, stdout=out,
                               stderr=subprocess.STDOUT)


def copy_tree(dst):
    if os.path.isdir(dst):
        shutil.rmtree(dst)
    os.makedirs(dst)
    files = subprocess.check_output(["git", "ls-files", "-z"], cwd=ROOT)
    for rel in files.decode().split("\0"):
        if not rel or not os.path.exists(os.path.join(ROOT, rel)):
            continue
        os.makedirs(os.path.join(dst, os.path.dirname(rel)), exist_ok=True)
        # copy, not copy2: fresh times, so the build never trusts an
        # object file left from an earlier run.
        shutil.copy(os.path.join(ROOT, rel), os.path.join(dst, rel))
    # npm packages (installed, not tracked): the local S3 server's and the
    # OpenAPI contract checker's.
    for where in (("tests", "upstreams", "s3"), ("tests", "contract")):
        nm = os.path.join(ROOT, *where, "node_modules")
        if os.path.isdir(nm):
            os.symlink(nm, os.path.join(dst, *where, "node_modules"))


def ctest(build, tests, log):
    pattern = "^(pg_start|pg_stop|%s)$" % "|".join(map(re.escape, tests))
    rc = run(["ctest", "-R", pattern, "--output-on-failure", "-j", "2"],
             build, log)
    failed = []
    with open(log, errors="replace") as f:
        text = f.read()
    m = re.search(r"The following tests FAILED:(.*)", text, re.S)
    if m:
        failed = re.findall(r"\d+ - (\S+)", m.group(1))
    return rc, failed


def main(argv):
    build_dir = os.path.join(ROOT, "build")
    only = []
    args = argv[1:]
    while args:
        a = args.pop(0)
        if a == "--only":
            only.append(args.pop(0))
        else:
            build_dir = os.path.abspath(a)
    mutants = parse(os.path.join(ROOT, "tests", "mutants.txt"))
    if only:
        mutants = [m for m in mutants if m["name"] in only]
    work = os.path.join(build_dir, "mutants")
    src, build = os.path.join(work, "src"), os.path.join(work, "build")
    copy_tree(src)
    os.makedirs(build, exist_ok=True)
    logs = os.path.join(work, "logs")
    os.makedirs(logs, exist_ok=True)
    if run(["cmake", "-S", src, "-B", build, "-DCMAKE_BUILD_TYPE=RelWithDebInfo",
            "-DSR_WERROR=ON"], ROOT, os.path.join(logs, "configure.log")) or \
       run(["cmake", "--build", build, "-j", "2"], ROOT,
           os.path.join(logs, "build.log")):
        sys.exit("mutants: the unmutated copy does not build (see %s)" % logs)
    wanted = sorted({t for m in mutants for t in m["tests"]})
    rc, failed = ctest(build, wanted, os.path.join(logs, "baseline.log"))
    if rc != 0:
        sys.exit("mutants: the tests fail without any mutant: %s (see %s)"
                 % (" ".join(failed) or "?", os.path.join(logs,
                                                          "baseline.log")))
    rows, bad = [], 0
    t_all = time.monotonic()
    for m in mutants:
        path = os.path.join(src, m["file"])
        # The copy's own text: the tree may change while this runs.
        with open(path, encoding="utf-8") as f:
            pristine = text = f.read()
        t0 = time.monotonic()
        verdict, killer = "killed", ""
        for find, repl in m["edits"]:
            if text.count(find) != 1:
                verdict = "does not apply (%d matches)" % text.count(find)
                break
            text = text.replace(find, repl)
        if verdict == "killed":
            with open(path, "w", encoding="utf-8") as f:
                f.write(text)
            slug = re.sub(r"[^a-z0-9]+", "-", m["name"].lower()).strip("-")
            log = os.path.join(logs, slug + ".log")
            if run(["cmake", "--build", build, "-j", "2"], ROOT, log):
                # A bug the compiler refuses says nothing about the tests:
                # the mutant itself must be fixed.
                verdict = "does not compile (see %s)" % log
            else:
                rc, failed = ctest(build, m["tests"], log)
                if rc == 0:
                    verdict = "SURVIVED"
                else:
                    killer = ", ".join(failed) or "(ctest failed)"
            # Written anew, so its time is fresh: the next build must
            # recompile the pristine file.
            with open(path, "w", encoding="utf-8") as f:
                f.write(pristine)
        if verdict != "killed":
            bad += 1
        rows.append((m["name"], verdict, killer, time.monotonic() - t0))
        print("mutants: %-50s %s %s" % (m["name"], verdict, killer),
              file=sys.stderr, flush=True)
    # Leave the copy built as it was.
    run(["cmake", "--build", build, "-j", "2"], ROOT,
        os.path.join(logs, "rebuild.log"))
    print("| mutant | result | killed by | seconds |")
    print("|---|---|---|---|")
    for name, verdict, killer, secs in rows:
        print("| %s | %s | %s | %.0f |" % (name, verdict, killer, secs))
    print("\n%d mutants, %d killed, %d not; %.0f s in all"
          % (len(rows), len(rows) - bad, bad, time.monotonic() - t_all))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main(sys.argv))
