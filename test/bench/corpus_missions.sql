-- `make bench`, measure 14 (issue 11): 2,000 validated organisations and
-- 50,000 online missions (one in ten remote, one in five with a second
-- place), in communes drawn at random among those with a point, so that
-- "near 69001" finds what a real Lyon finds: a few hundred. Slugs start
-- with "bench-"; run once per bench directory, with psql -1.
-- Deterministic (setseed).
SELECT setseed(0.11);

CREATE TEMP TABLE bench_communes AS
	SELECT row_number() OVER (ORDER BY c.insee_code, c.postal_code) AS n,
		c.insee_code, c.postal_code, c.name
	FROM communes c JOIN commune_points p USING (insee_code);

INSERT INTO organisations (slug, name, legal_kind, rna, street, postal_code,
	country, city_insee, city_name, description, description_html,
	charter_accepted_at, wizard_step, status, submitted_at, validated_at)
SELECT 'bench-orga-' || g, 'Association bench ' || g, 'association',
	'W' || lpad(g::text, 9, '0'), g || ' rue de la Paix', c.postal_code,
	'FR', c.insee_code, c.name, 'Une association du corpus de mesure.',
	'<p>Une association du corpus de mesure.</p>', now(), 'charte',
	'validated', now(), now()
FROM generate_series(1, 2000) g
JOIN bench_communes c ON c.n = 1 + (hashint4(g)::bigint & 2147483647)
	% (SELECT count(*) FROM bench_communes);

CREATE TEMP TABLE bench_missions AS
SELECT g, (SELECT min(id) FROM organisations WHERE slug LIKE 'bench-orga-%')
		+ (g % 2000) AS org,
	1 + (g % 12) AS domain, random() < 0.1 AS remote,
	1 + floor(random() * (SELECT count(*) FROM bench_communes))::int AS c1,
	CASE WHEN random() < 0.2 THEN 1 + floor(random() *
		(SELECT count(*) FROM bench_communes))::int END AS c2,
	1 + floor(random() * 60)::int AS start_day,
	1 + floor(random() * 20)::int AS places,
	(ARRAY['Distribution alimentaire', 'Aide aux devoirs',
	'Accompagnement de personnes âgées', 'Nettoyage de berges',
	'Animation sportive', 'Collecte de vêtements', 'Atelier numérique',
	'Maraude solidaire', 'Soutien scolaire', 'Accueil de réfugiés',
	'Festival de quartier', 'Refuge pour animaux'])[1 + (g % 12)]
		AS title
FROM generate_series(1, 50000) g;

INSERT INTO missions (slug, organisation_id, title, domain_id, description,
	description_html, remote, date_kind, starts_at, ends_at, places,
	min_age, status, submitted_at, validated_at)
SELECT 'bench-mission-' || g, org, title || ' n° ' || g, domain,
	'Une mission du corpus de mesure : ' || title || '.',
	'<p>Une mission du corpus de mesure : ' || title || '.</p>', remote,
	'one_off', now() + make_interval(days => start_day),
	now() + make_interval(days => start_day + 30), places, 16, 'validated',
	now(), now()
FROM bench_missions;

INSERT INTO mission_places (mission_id, position, street, postal_code,
	country, city_insee, city_name)
SELECT m.id, x.pos, '1 place de la Mairie', c.postal_code, 'FR',
	c.insee_code, c.name
FROM bench_missions b JOIN missions m ON m.slug = 'bench-mission-' || b.g
CROSS JOIN LATERAL (VALUES (1, b.c1), (2, b.c2)) x(pos, cn)
JOIN bench_communes c ON c.n = x.cn
WHERE NOT b.remote AND x.cn IS NOT NULL;

ANALYZE organisations;
ANALYZE missions;
ANALYZE mission_places;
ANALYZE search_documents;
