# FerretDB v1.24.2's SQLite backend pushes `{_id: <string|ObjectId>}` down as
#   WHERE _ferretdb_sjson->'$._id' = ?
# but creates the collection's unique _id index on _ferretdb_sjson->"_id". SQLite matches index
# expressions textually, so the pushdown never uses the index: every lookup by _id scans the table
# (stopping at the first hit), and a lookup of a missing _id reads every row. Writing the pushdown
# with the index's own expression makes it an index search (same JSON value: '$._id' and '_id'
# name the same member). Applied by infra/install.sh to a copy of the module; the build fails if the
# line is not found, so a FerretDB upgrade cannot silently drop it.
s|IDColumn = DefaultColumn + "->'\$\._id'"|IDColumn = DefaultColumn + "->'_id'"|
