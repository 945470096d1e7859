"""psycopg2 and SQLAlchemy against Lattice: the inspector's reflection, as
Superset runs it, and a query with a bound parameter. Prints one
"name<TAB>value" line per check; the Go test compares them."""
import sys

import sqlalchemy as sa

url = sa.engine.URL.create(
    "postgresql+psycopg2", username="any", password=sys.argv[2],
    host=sys.argv[1].split(":")[0], port=int(sys.argv[1].split(":")[1]), database="any",
    query={"sslmode": "disable"})
engine = sa.create_engine(url)


def out(name, value):
    print(f"{name}\t{value}")


insp = sa.inspect(engine)
out("schemas", ",".join(s for s in insp.get_schema_names() if s == "public"))
out("tables", ",".join(sorted(insp.get_table_names())))
out("views", ",".join(insp.get_view_names()))
out("columns", ",".join(f"{c['name']}:{c['type']}" for c in insp.get_columns("orders")))
out("primary_key", ",".join(insp.get_pk_constraint("orders")["constrained_columns"]))
out("foreign_keys", len(insp.get_foreign_keys("orders")))
out("indexes", len(insp.get_indexes("orders")))
out("has_table", f"{insp.has_table('orders')},{insp.has_table('nope')}")
with engine.connect() as conn:
    n = conn.execute(sa.text("SELECT MEASURE(count) FROM orders WHERE status = :s"), {"s": "completed"}).scalar()
    out("bound_param", n)
