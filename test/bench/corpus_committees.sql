-- `make bench`: the committees-and-events corpus of issue 8: 10,000
-- approved committees spread over the communes of France (more where the
-- communes are), 100,000 events (ten per committee, most upcoming, a
-- fifth with a capacity), 1,000,000 members who each follow one committee.
-- Run with psql -1 on the bench stack, once (it checks nothing: bench.sh
-- runs it when the committees are missing). Deterministic (setseed).
-- The triggers run as for real data: commune points, the search index.
SELECT setseed(0.8);

-- 10,000 communes drawn at random (a commune with several postal codes
-- once), the first 10,000 of a shuffled list.
CREATE TEMP TABLE bench_places AS
SELECT row_number() OVER () AS n, postal_code, insee_code, name
FROM (SELECT * FROM (SELECT DISTINCT ON (c.insee_code) c.postal_code,
		c.insee_code, c.name
	FROM communes c JOIN commune_points p USING (insee_code)
	ORDER BY c.insee_code, c.postal_code) x
	ORDER BY random() LIMIT 10000) y;

INSERT INTO users (email, password_hash, first_name, last_name, gender,
	postal_code, country, city_insee, city_name, status, activated_at,
	charter_accepted_at)
SELECT 'bench' || i || '@bench.civitas.localhost', '!bench: no password',
	(ARRAY['Alice', 'Bruno', 'Chloé', 'David', 'Élodie', 'Farid', 'Gaëlle',
		'Hugo', 'Inès', 'Jules', 'Karim', 'Léa'])[1 + i % 12],
	(ARRAY['Bernard', 'Petit', 'Durand', 'Leroy', 'Morel', 'Fontaine',
		'Chevalier', 'Garnier', 'Lambert', 'Bonnet'])[1 + i % 10],
	'other', p.postal_code, 'FR', p.insee_code, p.name, 'active', now(), now()
FROM generate_series(1, 1000000) i
JOIN bench_places p ON p.n = 1 + i % 10000;

INSERT INTO committees (slug, name, description, description_html,
	postal_code, country, city_insee, city_name, status, approved_at,
	created_by)
SELECT 'comite-bench-' || p.n, 'Comité ' || p.n || ' ' || left(p.name, 30),
	'Le comité de ' || p.name || ' : réunions, porte-à-porte et débats.',
	'<p>Le comité de ' || p.name || ' : réunions, porte-à-porte et débats.</p>',
	p.postal_code, 'FR', p.insee_code, p.name, 'approved',
	now() - make_interval(days => (p.n % 300)::int), u.id
FROM bench_places p
JOIN users u ON u.email = 'bench' || p.n || '@bench.civitas.localhost';

-- Each member follows the committee of their commune; the first member of
-- each committee is its supervisor.
INSERT INTO committee_memberships (committee_id, user_id, role, joined_at)
SELECT c.id, u.id, CASE WHEN u.id = c.created_by THEN 'supervisor'
	ELSE 'follower' END, now() - make_interval(mins => (u.id % 100000)::int)
FROM users u
JOIN committees c ON c.city_insee = u.city_insee AND c.slug LIKE 'comite-bench-%'
WHERE u.email LIKE 'bench%@bench.civitas.localhost';

INSERT INTO events (slug, committee_id, organizer_id, organizer_name,
	category_id, name, description, description_html, begins_at,
	finishes_at, time_zone, street, postal_code, country, city_insee,
	city_name, capacity)
SELECT 'bench-' || c.id || '-' || k, c.id, c.created_by, c.name,
	(SELECT id FROM event_categories ORDER BY position LIMIT 1),
	(ARRAY['Réunion publique', 'Porte-à-porte', 'Débat citoyen',
		'Tractage au marché', 'Atelier de propositions'])[1 + k % 5]
		|| ' à ' || left(c.city_name, 60),
	'Rendez-vous à ' || c.city_name || ' pour échanger et agir ensemble.',
	'<p>Rendez-vous à ' || c.city_name || ' pour échanger et agir ensemble.</p>',
	now() + make_interval(days => k * 7 - 14 + (c.id % 7)::int, hours => 18),
	now() + make_interval(days => k * 7 - 14 + (c.id % 7)::int, hours => 20),
	france_time_zone(c.postal_code), NULL, c.postal_code, 'FR', c.city_insee,
	c.city_name, CASE WHEN k % 5 = 0 THEN 50 END
FROM committees c, generate_series(0, 9) k
WHERE c.slug LIKE 'comite-bench-%';

ANALYZE users;
ANALYZE committees;
ANALYZE committee_memberships;
ANALYZE events;
ANALYZE search_documents;
