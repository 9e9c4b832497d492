-- Reference data, reloaded in one transaction on every migrate run (the
-- CSV files are the source of truth; see sql/data/README.md). Run by
-- scripts/migrate.sh with psql from the repository root.
BEGIN;
CREATE TEMP TABLE countries_in (LIKE countries);
\copy countries_in FROM 'sql/data/countries.csv' WITH (FORMAT csv, HEADER true)
INSERT INTO countries SELECT * FROM countries_in
	ON CONFLICT (code) DO UPDATE SET name = EXCLUDED.name,
	position = EXCLUDED.position;
CREATE TEMP TABLE communes_in (LIKE communes);
\copy communes_in FROM 'sql/data/communes.csv' WITH (FORMAT csv, HEADER true)
DELETE FROM communes c WHERE NOT EXISTS (SELECT 1 FROM communes_in i
	WHERE i.postal_code = c.postal_code AND i.insee_code = c.insee_code);
INSERT INTO communes SELECT * FROM communes_in
	ON CONFLICT (postal_code, insee_code) DO UPDATE SET name = EXCLUDED.name;
CREATE TEMP TABLE points_in (LIKE commune_points);
\copy points_in FROM 'sql/data/commune_points.csv' WITH (FORMAT csv, HEADER true)
DELETE FROM commune_points p WHERE NOT EXISTS (SELECT 1 FROM points_in i
	WHERE i.insee_code = p.insee_code);
INSERT INTO commune_points SELECT * FROM points_in
	ON CONFLICT (insee_code) DO UPDATE SET longitude = EXCLUDED.longitude,
	latitude = EXCLUDED.latitude, source = EXCLUDED.source;
COMMIT;
