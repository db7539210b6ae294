#!/usr/bin/python3
"""Runs the kiln CLI on every case of tests/robustness/corpus/cases.json (made by
make_corpus.py) and checks the answer: the expected exit code, stderr exactly one line
"kiln: error: ..." with no control bytes that contains the expected substrings (the file,
node, option or limit at fault), nothing on stdout, and no output left behind.

Each case runs under a CPU-time limit (RLIMIT_CPU) and, except under AddressSanitizer (whose
shadow memory reserves terabytes of address space), an address-space limit (RLIMIT_AS); its
peak resident memory (ru_maxrss) must stay under the memory budget in both builds.

    /usr/bin/python3 tests/robustness/run_corpus.py --kiln build/kiln [--asan] [--markdown]

--markdown prints the measured table of docs/robustness.md instead of the per-case lines;
--asan-kiln build-asan/kiln adds the ASan build's time and memory columns to it.
Exit status 1 if any case fails.
"""
import argparse
import json
import os
import resource
import shutil
import subprocess
import sys
import tempfile
import time

HERE = os.path.dirname(os.path.abspath(__file__))
CORPUS = os.path.join(HERE, "corpus")
sys.path.insert(0, HERE)
import make_corpus  # noqa: E402  (the generators of the large cases)

CPU_SECONDS = 20        # a guard far above the measured times (docs/robustness.md)
MEMORY_BYTES = 500 << 20  # issue 13: every case within 500 MB


def limits(asan):
    def apply():
        resource.setrlimit(resource.RLIMIT_CPU, (CPU_SECONDS, CPU_SECONDS))
        if not asan:
            resource.setrlimit(resource.RLIMIT_AS, (MEMORY_BYTES, MEMORY_BYTES))
    return apply


def run_case(kiln, case, scratch, asan):
    generated = ""
    if "generate" in case:
        generated = os.path.join(scratch, case["name"] + ".input")
        make_corpus.GENERATORS[case["generate"]](generated)
    subst = lambda s: s.replace("{c}", CORPUS).replace("{t}", scratch).replace("{g}", generated)
    argv = [kiln] + [subst(a) for a in case["args"]]
    start = time.monotonic()
    proc = subprocess.Popen(argv, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
                            preexec_fn=limits(asan), cwd=scratch)
    out, err = proc.communicate()
    seconds = time.monotonic() - start
    rss = resource.getrusage(resource.RUSAGE_CHILDREN).ru_maxrss * 1024
    problems = []
    if proc.returncode != case["exit"]:
        problems.append("exit %s, expected %d" % (proc.returncode, case["exit"]))
    if out:
        problems.append("stdout not empty: %r" % out[:200])
    if err.count(b"\n") != 1 or not err.endswith(b"\n"):
        problems.append("stderr is not exactly one line: %r" % err[:300])
    if not err.startswith(b"kiln: error: "):
        problems.append("stderr does not start with 'kiln: error: ': %r" % err[:300])
    if any(b < 0x20 or b == 0x7F for b in err[:-1]):
        problems.append("stderr holds control bytes: %r" % err[:300])
    if len(err) > 4500:
        problems.append("stderr line of %d bytes" % len(err))
    text = err.decode("utf-8", "replace")
    for want in case["expect"]:
        if subst(want) not in text:
            problems.append("stderr lacks %r: %r" % (subst(want), text[:300]))
    for path in case["absent"]:
        if os.path.exists(subst(path)):
            problems.append("%s was written" % subst(path))
    leftovers = [n for n in os.listdir(scratch) if n.startswith(".") and ".kiln-" in n]
    if leftovers:
        problems.append("temporary files left: %s" % leftovers)
    shown = text.rstrip("\n").replace(scratch + "/", "").replace(CORPUS + "/", "")
    shown = shown.replace(CORPUS, "tests/robustness/corpus")
    return {"seconds": seconds, "rss": rss, "problems": problems, "stderr": shown}


def main():
    parser = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    parser.add_argument("--kiln", required=True)
    parser.add_argument("--asan", action="store_true", help="kiln is built with ASan: no RLIMIT_AS")
    parser.add_argument("--markdown", action="store_true")
    parser.add_argument("--asan-kiln", help="with --markdown: also run this ASan build of kiln "
                        "and add its time and memory columns")
    parser.add_argument("--only", help="run only the cases whose name contains this")
    args = parser.parse_args()
    args.kiln = os.path.abspath(args.kiln)
    runs = [(args.kiln, args.asan)]
    if args.asan_kiln:
        runs.append((os.path.abspath(args.asan_kiln), True))
    with open(os.path.join(CORPUS, "cases.json")) as f:
        cases = json.load(f)
    if args.only:
        cases = [c for c in cases if args.only in c["name"]]
    failed = 0
    rows = []
    for case in cases:
        results = []
        for kiln, asan in runs:
            scratch = tempfile.mkdtemp(prefix="kiln_robustness_")
            try:
                # A fresh process per case so that ru_maxrss is this case's own peak.
                result = measure_in_child(kiln, case, scratch, asan)
            finally:
                shutil.rmtree(scratch, ignore_errors=True)
            if result["rss"] > MEMORY_BYTES:
                result["problems"].append("peak RSS %d MB over %d MB" %
                                          (result["rss"] >> 20, MEMORY_BYTES >> 20))
            results.append(result)
        result = results[0]
        result["problems"] = [p for r in results for p in r["problems"]]
        ok = not result["problems"]
        failed += not ok
        rows.append((case, results))
        if not args.markdown:
            print("%-4s %-28s exit %d  %6.2f s  %5.1f MB  %s" % (
                "ok" if ok else "FAIL", case["name"], case["exit"], result["seconds"],
                result["rss"] / 2**20, result["stderr"][:150]))
            for p in result["problems"]:
                print("     " + p)
    if args.markdown:
        columns = ["time (s)", "peak RSS (MB)"]
        if args.asan_kiln:
            columns = ["time (s)", "peak RSS (MB)", "ASan time (s)", "ASan peak RSS (MB)"]
        print("| case | input class | answer | exit | " + " | ".join(columns) + " |")
        print("| --- | --- | --- | --- | " + " | ".join("---" for _ in columns) + " |")
        for case, results in rows:
            answer = results[0]["stderr"].replace("|", "\\|")
            if len(answer) > 110:
                answer = answer[:107] + "..."
            figures = " | ".join("%.2f | %.0f" % (r["seconds"], r["rss"] / 2**20) for r in results)
            print("| %s | %s | `%s` | %d | %s |" % (case["name"], case["kind"], answer,
                                                   case["exit"], figures))
    print("%d of %d cases passed" % (len(cases) - failed, len(cases)), file=sys.stderr)
    return 1 if failed else 0


def measure_in_child(kiln, case, scratch, asan):
    """Runs run_case in a forked child so RUSAGE_CHILDREN there covers this case's kiln only."""
    read_end, write_end = os.pipe()
    pid = os.fork()
    if pid == 0:
        os.close(read_end)
        try:
            result = run_case(kiln, case, scratch, asan)
        except Exception as e:  # reported as a failure of the case
            result = {"seconds": 0.0, "rss": 0, "problems": ["runner: %r" % e], "stderr": ""}
        with os.fdopen(write_end, "w") as f:
            json.dump(result, f)
        os._exit(0)
    os.close(write_end)
    with os.fdopen(read_end) as f:
        data = f.read()
    os.waitpid(pid, 0)
    return json.loads(data)


if __name__ == "__main__":
    sys.exit(main())
