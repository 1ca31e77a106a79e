"""Reads readout's Parquet tables with DuckDB and checks the contract of
../shared/SCHEMA.md: columns, types, row counts equal to the CSV files."""
import csv
import sys

import duckdb

out = sys.argv[1]
con = duckdb.connect()

EXPECTED = {
    "articles": {
        "article_id": "VARCHAR", "source": "VARCHAR", "outlet_id": "VARCHAR", "outlet": "VARCHAR",
        "published": "DATE", "published_source": "VARCHAR", "title": "VARCHAR",
        "authors": "VARCHAR[]", "credits": "VARCHAR[]", "chars": "BIGINT", "boilerplate_chars": "BIGINT",
    },
    "texts": {"article_id": "VARCHAR", "text": "VARCHAR"},
    "dates": {
        "article_id": "VARCHAR", "text": "VARCHAR", "char_start": "BIGINT", "char_end": "BIGINT",
        "value": "VARCHAR", "kind": "VARCHAR", "anchor": "VARCHAR",
    },
    "rejects": {"source": "VARCHAR", "reason": "VARCHAR"},
    "entities": {
        "entity_id": "VARCHAR", "kind": "VARCHAR", "name": "VARCHAR", "aliases": "VARCHAR[]",
        "mentions": "BIGINT", "articles": "BIGINT", "origin": "VARCHAR",
    },
    "mentions": {
        "article_id": "VARCHAR", "entity_id": "VARCHAR", "surface": "VARCHAR", "char_start": "BIGINT",
        "char_end": "BIGINT",
    },
}

problems = []
for table, columns in EXPECTED.items():
    described = {r[0]: r[1] for r in con.execute(f"describe select * from read_parquet('{out}/{table}.parquet')").fetchall()}
    for name, kind in columns.items():
        if described.get(name) != kind:
            problems.append(f"{table}.{name}: expected {kind}, found {described.get(name)}")
    n = con.execute(f"select count(*) from read_parquet('{out}/{table}.parquet')").fetchone()[0]
    try:
        with open(f"{out}/{table}.csv", newline="", encoding="utf-8") as f:
            csv_rows = sum(1 for _ in csv.reader(f)) - 1
        if csv_rows != n:
            problems.append(f"{table}: {n} Parquet rows but {csv_rows} CSV rows")
    except FileNotFoundError:
        pass
    if n == 0 and table not in ("dates", "entities", "mentions"):
        problems.append(f"{table}: no rows")
    # The footer's row count is written apart from the row groups' own.
    footer_rows = con.execute(f"select num_rows from parquet_file_metadata('{out}/{table}.parquet')").fetchone()[0]
    group_rows = con.execute(
        f"select coalesce(sum(num_rows), 0) from (select distinct row_group_id, row_group_num_rows as num_rows "
        f"from parquet_metadata('{out}/{table}.parquet'))"
    ).fetchone()[0]
    if footer_rows != n or group_rows != n:
        problems.append(f"{table}: {n} rows read, the footer says {footer_rows}, its row groups {group_rows}")
    codec = con.execute(f"select distinct compression from parquet_metadata('{out}/{table}.parquet')").fetchall()
    if codec != [("ZSTD",)]:
        problems.append(f"{table}: compression {codec}, expected ZSTD")

# Sorted by id, and offsets of the contract hold: chars is the text length.
ids = [r[0] for r in con.execute(f"select article_id from read_parquet('{out}/articles.parquet')").fetchall()]
if ids != sorted(ids):
    problems.append("articles are not sorted by article_id")
bad = con.execute(f"""select count(*) from read_parquet('{out}/articles.parquet') a
    join read_parquet('{out}/texts.parquet') t using (article_id) where length(t.text) != a.chars""").fetchone()[0]
if bad:
    problems.append(f"{bad} articles whose chars differs from the text length")
# Date offsets point at their text in the cleaned article text.
bad_spans = con.execute(f"""select count(*) from read_parquet('{out}/dates.parquet') d
    join read_parquet('{out}/texts.parquet') t using (article_id)
    where substr(t.text, d.char_start + 1, d.char_end - d.char_start) != d.text""").fetchone()[0]
if bad_spans:
    problems.append(f"{bad_spans} dates whose offsets do not point at their text")
bad_mentions = con.execute(f"""select count(*) from read_parquet('{out}/mentions.parquet') m
    join read_parquet('{out}/texts.parquet') t using (article_id)
    where substr(t.text, m.char_start + 1, m.char_end - m.char_start) != m.surface""").fetchone()[0]
if bad_mentions:
    problems.append(f"{bad_mentions} mentions whose offsets do not point at their surface")
orphans = con.execute(f"""select count(*) from read_parquet('{out}/mentions.parquet') m
    anti join read_parquet('{out}/entities.parquet') e using (entity_id)""").fetchone()[0]
if orphans:
    problems.append(f"{orphans} mentions of entities missing from the entities table")
dated = con.execute(f"select count(*) from read_parquet('{out}/articles.parquet') where published is not null").fetchone()[0]
if dated == 0:
    problems.append("no article has a publication date")

if problems:
    print("\n".join(problems))
    sys.exit(1)
print("duckdb: ok")
