-- 0016: the device list filtered to one family and sorted by model (the
-- usual "all my iPads by model" view) read the model index from its start,
-- testing the family of every Apple TV and Mac before the first iPad: 82 ms a
-- page at 200,000 devices. Family and model together, then the sort's
-- tie-breakers, serve that page straight from the index, and a count or
-- facet by family reads only that family's entries.

CREATE INDEX devices_by_family_model ON devices(family, model, serial, token_id);
