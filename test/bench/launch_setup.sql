-- `make bench-launch` (scripts/bench-launch.sh): the people and places of
-- the launch night, once per bench directory.
--   psql -v hash=ARGON2ID -v members=N -v logins=L -v events=E
--        -v missions=M -f launch_setup.sql
-- - N active members (launch-member-K@bench.test) who register to events
--   and apply to missions: the script logs each in once through /login and
--   keeps their session;
-- - L more active members (launch-login-K@bench.test) for the logins under
--   load (apart, so that logging in never touches the sessions above);
--   all share the password "benchmark-pass", hashed once (:hash, from
--   `civitas-fcgi hash`: the server's own Argon2id parameters);
-- - E events a week ahead, capacity 1,000,000 (never full);
-- - M missions of a validated organisation, 10,000 places each (the most
--   allowed), online: never full, every application a new row.
INSERT INTO users (email, password_hash, first_name, last_name, gender,
	birth_date, address_street, postal_code, country, city_insee, city_name,
	status, activated_at, charter_accepted_at)
SELECT 'launch-' || k || '@bench.test', :'hash', 'Camille', 'Lancement',
	'female', '1990-03-22', '1 rue de la République', '69001', 'FR',
	'69381', 'Lyon 1er Arrondissement', 'active', now(), now()
FROM (SELECT 'member-' || i AS k FROM generate_series(1, :members) i
	UNION ALL
	SELECT 'login-' || i FROM generate_series(1, :logins) i) s
ON CONFLICT DO NOTHING;

INSERT INTO events (slug, organizer_name, name, description, description_html,
	begins_at, finishes_at, time_zone, postal_code, country, city_insee,
	city_name, capacity)
SELECT 'launch-event-' || i, 'Équipe nationale', 'Grand meeting de lancement ' || i,
	'Venez nombreux.', '<p>Venez nombreux.</p>',
	now() + interval '7 days', now() + interval '7 days 2 hours',
	'Europe/Paris', '69001', 'FR', '69381', 'Lyon 1er Arrondissement', 1000000
FROM generate_series(1, :events) i
ON CONFLICT DO NOTHING;

INSERT INTO organisations (slug, name, legal_kind, rna, postal_code, country,
	city_insee, city_name, charter_accepted_at, status, submitted_at,
	validated_at)
VALUES ('launch-bench', 'Association du lancement', 'association',
	'W691000002', '69001', 'FR', '69381', 'Lyon', now(), 'validated', now(),
	now())
ON CONFLICT DO NOTHING;

INSERT INTO missions (slug, organisation_id, title, domain_id, description,
	remote, date_kind, starts_at, ends_at, places, status, validated_at)
SELECT 'launch-mission-' || i,
	(SELECT id FROM organisations WHERE slug = 'launch-bench'),
	'Mission du lancement ' || i, 1 + i % 12, 'Aider les personnes isolées.',
	true, 'one_off', now() + interval '1 day', now() + interval '30 days',
	10000, 'validated', now()
FROM generate_series(1, :missions) i
ON CONFLICT DO NOTHING;
