#!/usr/bin/env python3
"""lint_vs_squawk.py -- squawk and sm_lint side by side over real migration
folders (run by bench/lint_vs_squawk.sh, which starts the cluster).

For every set: the up SQL of each revision, exactly as schema_migrate runs it
(sm_show().up_sql), goes to squawk; sm_lint runs twice:
  fresh        the whole plan against an empty database (what a CI check of a
               new database sees: every table is created in the same plan);
  incremental  each revision linted alone against the database migrated up to
               its parent (what each deployment sees), with
               schema_migrate.safety_min_bytes = 0 so that every existing
               table counts as big: the severity a production database of any
               size gets.
Prints a markdown table of counts per rule and writes per-finding details.
"""
import base64
import collections
import json
import os
import subprocess
import sys

PSQL = os.environ["PSQL_BIN"]
SQUAWK = os.environ["SQUAWK"]
WORK = os.environ["WORK"]
SETS = sys.argv[1:]


def psql(db, sql, opts=""):
    env = dict(os.environ)
    env["PGOPTIONS"] = (env.get("PGOPTIONS", "") + " " + opts).strip()
    r = subprocess.run([PSQL, "-X", "-q", "-At", "-v", "ON_ERROR_STOP=1", "-d", db, "-c", sql],
                       capture_output=True, text=True, env=env)
    if r.returncode != 0:
        raise RuntimeError(r.stderr.strip())
    return [l for l in r.stdout.split("\n") if l]


def fresh_db(name):
    psql("postgres", f"DROP DATABASE IF EXISTS {name}")
    psql("postgres", f"CREATE DATABASE {name}")
    psql(name, "CREATE EXTENSION schema_migrate")


def lint_rows(db, target, s, opts=""):
    q = (f"SELECT concat_ws(E'\\t', revision, line, rule, severity, coalesce(relation, '')) "
         f"FROM sm_lint('{target}', '{s}')")
    return [l.split("\t") for l in psql(db, q, opts)]


def squawk_counts(s, revs):
    d = os.path.join(WORK, "squawk", s)
    os.makedirs(d, exist_ok=True)
    files = []
    for rev, b64 in revs:
        f = os.path.join(d, rev.replace("/", "_") + ".sql")
        with open(f, "wb") as fh:
            fh.write(base64.b64decode(b64))
        files.append(f)
    r = subprocess.run([SQUAWK, "--reporter", "json", "--pg-version", "15.0"] + files,
                       capture_output=True, text=True)
    out = r.stdout.strip()
    found = json.loads(out) if out.startswith("[") else []
    return collections.Counter(x["rule_name"] for x in found), found


def main():
    sq_total = collections.Counter()
    fresh_total = collections.Counter()
    inc_total = collections.Counter()
    per_set = []
    details = open(os.path.join(WORK, "details.tsv"), "w")
    for s in SETS:
        db = "lvs_" + s.replace("-", "_").replace(".", "_")
        fresh_db(db)
        revs = [l.split("\t") for l in psql(db,
                f"SELECT h.revision || E'\\t' || pg_catalog.translate(pg_catalog.encode(pg_catalog.convert_to(s.up_sql, 'UTF8'), 'base64'), E'\\n', '') "
                f"FROM sm_history('{s}') h, sm_show(h.revision, '{s}') s WHERE h.state NOT LIKE 'repeatable%'")]
        revs = [(x[0], x[1]) for x in revs]
        sq, found = squawk_counts(s, revs)
        for x in found:
            details.write(f"{s}\tsquawk\t{os.path.basename(x['file'])}\t{x['line'] + 1}\t{x['rule_name']}\n")
        fr = collections.Counter()
        for row in lint_rows(db, "heads", s):
            fr[row[2]] += 1
            details.write(f"{s}\tfresh\t" + "\t".join(row) + "\n")
        inc = collections.Counter()
        applied = 0
        for rev, _ in revs:
            try:
                for row in lint_rows(db, rev, s, "-c schema_migrate.safety_min_bytes=0"):
                    if row[0] != rev:
                        continue
                    inc[(row[2], row[3])] += 1
                    details.write(f"{s}\tincremental\t" + "\t".join(row) + "\n")
                psql(db, f"CALL sm_migrate('{rev}', '{s}')", "-c schema_migrate.safety=off -c client_min_messages=warning")
                applied += 1
            except RuntimeError as e:
                details.write(f"{s}\tstopped\t{rev}\t{e}\n")
                break
        per_set.append((s, len(revs), applied, sum(sq.values()), sum(fr.values()), sum(inc.values())))
        sq_total.update(sq)
        fresh_total.update(fr)
        inc_total.update(inc)
        psql("postgres", f"DROP DATABASE IF EXISTS {db}")
    details.close()

    print("| set | revisions | applied step by step | squawk findings | sm_lint fresh | sm_lint incremental |")
    print("|---|---:|---:|---:|---:|---:|")
    for row in per_set:
        print("| %s | %d | %d | %d | %d | %d |" % row)
    print()
    print("| squawk rule | count |")
    print("|---|---:|")
    for r, n in sq_total.most_common():
        print(f"| {r} | {n} |")
    print()
    print("| sm_lint rule | fresh (whole plan, empty database) | incremental: error | warning | info |")
    print("|---|---:|---:|---:|---:|")
    rules = sorted(set(fresh_total) | {r for r, _ in inc_total})
    for r in rules:
        print(f"| {r} | {fresh_total[r]} | {inc_total[(r, 'error')]} | {inc_total[(r, 'warning')]} | {inc_total[(r, 'info')]} |")


if __name__ == "__main__":
    main()
