"""The submission-week burst on the production shape (called by deploy/prod_shape.py).

Makes the burst accounts (deploy/burst_users.py), runs locust headless on loopback
(bench/locustfile.py), kills gunicorn node 2 with SIGKILL once a share of the teachers have
completed their upload, and prints: failures (must be 0), p95 and throughput per endpoint, the
overall throughput, the peak memory of each node (its master and workers together, sampled every
0.5 s), which node answered before and after the kill, and the database's view (every teacher's
lecture submitted with the whole file).
"""

from __future__ import annotations

import csv
import json
import os
import signal
import subprocess
import sys
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
MiB = 1024 * 1024


def group_rss(pgid: int) -> int:
    """Resident bytes of every process in a process group (a gunicorn node)."""
    total = 0
    for entry in os.listdir("/proc"):
        if not entry.isdigit():
            continue
        try:
            stat = Path(f"/proc/{entry}/stat").read_text()
            fields = stat.rsplit(")", 1)[1].split()
            if int(fields[2]) != pgid:
                continue
            for line in Path(f"/proc/{entry}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    total += int(line.split()[1]) * 1024
        except (OSError, IndexError, ValueError):
            continue
    return total


class MemorySampler(threading.Thread):
    def __init__(self, groups: dict[str, int]):
        super().__init__(daemon=True)
        self.groups = groups
        self.peak = dict.fromkeys(groups, 0)
        self.stopped = threading.Event()

    def run(self) -> None:
        while not self.stopped.is_set():
            for name, pgid in self.groups.items():
                self.peak[name] = max(self.peak[name], group_rss(pgid))
            time.sleep(0.5)


def completes(shape) -> int:
    path = shape.run / "access.log"
    if not path.exists():
        return 0
    return sum(1 for line in path.read_text().splitlines() if "/complete/" in line and " 200 " in line)


def run_burst(shape) -> list[str]:
    a = shape.args
    print(
        f"\n=== Burst: {a.teachers} teachers × {a.file_mb} MiB by S3 multipart + {a.reviewers} reviewers, "
        f"node2 killed after {a.kill_after:.0%} of the uploads ===",
        flush=True,
    )
    subprocess.run(
        [
            sys.executable,
            "deploy/burst_users.py",
            "--teachers",
            str(a.teachers),
            "--reviewers",
            str(a.reviewers),
        ],
        cwd=ROOT,
        env=shape.env,
        check=True,
    )
    log_start = len((shape.run / "access.log").read_text().splitlines())
    completes_before = completes(shape)
    prefix = shape.run / "locust"
    outcomes = shape.run / "burst-outcomes.json"
    env = {
        **shape.env,
        "BURST_TEACHERS": str(a.teachers),
        "BURST_REVIEWERS": str(a.reviewers),
        "BURST_FILE_MB": str(a.file_mb),
        "PRODSHAPE_CA": str(shape.run / "tls.crt"),
        "BURST_OUTCOMES": str(outcomes),
    }
    command = [str(Path(sys.executable).with_name("locust")), "-f", "bench/locustfile.py", "--headless"]
    command += ["--host", shape.site, "-u", str(a.teachers + a.reviewers), "-r", str(a.spawn_rate)]
    command += ["--run-time", a.run_time, "--csv", str(prefix), "--only-summary", "--loglevel", "WARNING"]
    command += ["--stop-timeout", "30"]
    sampler = MemorySampler({name: shape.procs[name].pid for name in ("node1", "node2")})
    sampler.start()
    started = time.monotonic()
    shape.burst_started = time.time()
    locust = subprocess.Popen(
        command, cwd=ROOT, env=env, stdout=open(shape.run / "locust.log", "wb"), stderr=subprocess.STDOUT
    )  # noqa: SIM115
    killed_at = None
    try:
        while locust.poll() is None:
            time.sleep(0.5)
            if killed_at is None and completes(shape) - completes_before >= a.kill_after * a.teachers:
                sampler.peak["node2 (at its kill)"] = group_rss(shape.procs["node2"].pid)
                shape.kill("node2")
                killed_at = time.monotonic() - started
                log_at_kill = len((shape.run / "access.log").read_text().splitlines())
                print(f"  {killed_at:.0f} s: node2 killed (SIGKILL to its master and workers)", flush=True)
    except KeyboardInterrupt:
        locust.send_signal(signal.SIGINT)
        locust.wait(timeout=60)
        raise
    elapsed = time.monotonic() - started
    sampler.stopped.set()
    sampler.join()
    return report(
        shape, prefix, outcomes, elapsed, killed_at, log_start, locals().get("log_at_kill"), sampler.peak
    )


def report(shape, prefix, outcomes, elapsed, killed_at, log_start, log_at_kill, peaks) -> list[str]:
    a = shape.args
    failures = []
    rows = list(csv.DictReader(open(f"{prefix}_stats.csv")))  # noqa: SIM115
    print(
        f"\n  {'endpoint':<48} {'requests':>8} {'fail':>5} {'p50 ms':>7} {'p95 ms':>7} {'max ms':>7} {'req/s':>6}"
    )
    for row in rows:
        name = row["Name"] if row["Name"] != "Aggregated" else "ALL"
        print(
            f"  {name:<48} {int(row['Request Count']):>8} {int(row['Failure Count']):>5} {row['50%']:>7} "
            f"{row['95%']:>7} {float(row['Max Response Time']):>7.0f} {float(row['Requests/s']):>6.1f}"
        )
    total = next(r for r in rows if r["Name"] == "Aggregated")
    errors = int(total["Failure Count"])
    failure_rows = list(csv.DictReader(open(f"{prefix}_failures.csv")))  # noqa: SIM115
    for row in failure_rows:
        print(f"  FAILURE {row['Method']} {row['Name']} × {row['Occurrences']}: {row['Error'][:200]}")
    exceptions = list(csv.DictReader(open(f"{prefix}_exceptions.csv")))  # noqa: SIM115
    for row in exceptions:
        print(f"  EXCEPTION × {row['Count']}: {row['Message'][:200]}")
    done = json.loads(outcomes.read_text()) if outcomes.exists() else []
    submitted = sum(1 for d in done if d["submitted"])
    uploaded_mb = len(done) * a.file_mb * MiB / 1e6
    print(
        f"\n  {elapsed:.0f} s; {int(total['Request Count'])} requests, {errors} failed, {len(exceptions)} exceptions; "
        f"{submitted}/{a.teachers} teachers submitted"
    )
    if done:
        first, last = min(d["at"] - d["total_s"] for d in done), max(d["at"] for d in done)
        span = max(last - first, 1e-9)
        totals = sorted(d["total_s"] for d in done)
        print(
            f"  throughput: {len(done) / span * 60:.0f} submissions/min, {uploaded_mb / span:.0f} MB/s uploaded to S3, "
            f"{int(total['Request Count']) / elapsed:.0f} requests/s overall; per teacher: upload p50 "
            f"{sorted(d['upload_s'] for d in done)[len(done) // 2]:.1f} s, check wait p50 "
            f"{sorted(d['check_wait_s'] for d in done)[len(done) // 2]:.1f} s, whole submission p50 "
            f"{totals[len(done) // 2]:.1f} s, p95 {totals[int(0.95 * (len(done) - 1))]:.1f} s"
        )
    for name, peak in peaks.items():
        print(f"  peak memory {name}: {peak / MiB:.0f} MiB (master + {a.workers} workers)")
    lines = (shape.run / "access.log").read_text().splitlines()
    node = {str(p): n for n, p in shape.nodes.items()}

    def by_node(chunk):
        """Requests to the site per node that answered, and how many nginx sent on after a refusal."""
        counts: dict[str, int] = {}
        for line in chunk:
            if line.startswith(f"{a.site_port} "):
                upstreams = line.split(" ", 7)[7].split(", ")
                key = node.get(upstreams[-1].rsplit(":", 1)[-1], upstreams[-1])
                counts[key] = counts.get(key, 0) + 1
                if len(upstreams) > 1:
                    counts["failed over"] = counts.get("failed over", 0) + 1
        return counts

    if log_at_kill is not None:
        before, after = lines[log_start:log_at_kill], lines[log_at_kill:]
        print(f"  answered by (nginx upstream) before the kill: {by_node(before)}; after: {by_node(after)}")
        after_5xx = [x for x in after if x.startswith(f"{a.site_port} ") and x.split(" ")[3].startswith("5")]
        print(f"  5xx answers to the browser after the kill: {len(after_5xx)}")
    else:
        failures.append("node2 was not killed during the burst")
    db = database_view(shape)
    print(
        f"  database: {db['lectures']} burst lectures, {db['submitted']} submitted with the whole "
        f"{a.file_mb} MiB file ({db['whole']} versions of {a.file_mb * MiB:,} bytes), "
        f"{db['cases']} review cases opened"
    )
    if errors:
        failures.append(f"burst: {errors} failed requests")
    if exceptions:
        failures.append(f"burst: {len(exceptions)} exceptions in the users")
    if submitted != a.teachers or db["submitted"] != a.teachers or db["whole"] != a.teachers:
        failures.append(
            f"burst: {submitted} (locust) / {db['submitted']} (database) of {a.teachers} submitted"
        )
    return failures


def database_view(shape) -> dict:
    size = shape.args.file_mb * MiB
    since = shape.burst_started  # the lectures of this burst only (--keep-db keeps earlier ones)
    sql = f"""
        SELECT count(DISTINCT l.id),
               count(DISTINCT l.id) FILTER (WHERE v.submitted_at IS NOT NULL),
               count(v.id) FILTER (WHERE v.size = {size}),
               (SELECT count(*) FROM reviews_reviewcase c JOIN submissions_lectureversion cv ON cv.id = c.version_id
                  JOIN submissions_lecture cl ON cl.id = cv.lecture_id JOIN accounts_user cu ON cu.id = cl.author_id
                 WHERE cu.username LIKE 'burst.gv%' AND cl.created_at >= to_timestamp({since}))
          FROM submissions_lecture l JOIN accounts_user u ON u.id = l.author_id
          JOIN submissions_lectureversion v ON v.lecture_id = l.id
         WHERE u.username LIKE 'burst.gv%' AND l.created_at >= to_timestamp({since})
    """
    out = subprocess.run(
        ["psql", "-h", "127.0.0.1", "-U", "postgres", "-d", shape.args.database, "-Atc", sql],
        capture_output=True,
        text=True,
        check=True,
    ).stdout.strip()
    lectures, submitted, whole, cases = (int(x) for x in out.split("|"))
    return {"lectures": lectures, "submitted": submitted, "whole": whole, "cases": cases}
