-- `make bench`, measure 6 (issue 12): grow the site search to :total
-- documents of every kind, through the real tables (the search triggers
-- fill search_documents as for real content): of what is missing, 60 %
-- articles, 1 % pages, 5 % committees, 24 % events, 10 % missions. Run
-- with psql -1 -v total=N. Deterministic (setseed).
--
-- The words follow the generator of issue 3 (10,000 articles): each is about
-- one of 14 topics; its text mixes French stop words (~55 %, dropped by the
-- index), words common to every subject (~25 %), its topic's own words
-- (~18 %) and, rarely, any topic's (~2 %). Titles alternate a topic word
-- and a common word. Committees, events and missions have a title and a
-- shorter description (30 to 60 words), articles a summary and a body (80
-- to 200 words), pages a body. Dates spread over four years (events and
-- missions: created over the last year, not over yet). Each kind is
-- inserted oldest first, as a site accumulates its rows (before issue 12
-- the articles went in an order unrelated to their dates).
SELECT setseed(0.12);

CREATE TEMP TABLE corpus_words AS SELECT
	ARRAY['le', 'la', 'les', 'de', 'des', 'du', 'un', 'une', 'et', 'à',
	'en', 'pour', 'avec', 'dans', 'sur', 'par', 'nous', 'notre', 'nos',
	'vous', 'est', 'sont', 'plus', 'qui', 'que', 'ce', 'cette', 'ces', 'il',
	'elle', 'tous', 'chaque', 'aussi', 'mais', 'sans', 'entre', 'comme',
	'leur', 'faire', 'avoir', 'être', 'dire', 'voir', 'pouvoir']::text[] AS stop,
	ARRAY['nouveau', 'grand', 'local', 'national', 'public', 'durable',
	'juste', 'plan', 'projet', 'proposition', 'débat', 'rencontre',
	'annonce', 'service', 'accueil', 'proximité', 'citoyen', 'citoyenne',
	'ville', 'village', 'quartier', 'habitants', 'avenir', 'année',
	'France', 'région', 'commune', 'engagement', 'mesure', 'priorité']::text[] AS common;

CREATE TEMP TABLE corpus_topics (id integer, words text[]);
INSERT INTO corpus_topics VALUES
	(0, ARRAY['transports', 'train', 'gare', 'bus', 'vélo', 'piste', 'cyclable', 'route', 'tramway', 'covoiturage']),
	(1, ARRAY['école', 'collège', 'lycée', 'enseignant', 'élève', 'classe', 'rentrée', 'cantine', 'professeur', 'éducation']),
	(2, ARRAY['santé', 'hôpital', 'médecin', 'infirmière', 'urgences', 'pharmacie', 'soins', 'patients', 'maternité', 'généraliste']),
	(3, ARRAY['logement', 'loyer', 'rénovation', 'isolation', 'immeuble', 'locataires', 'propriétaires', 'construction', 'HLM', 'habitat']),
	(4, ARRAY['énergie', 'électricité', 'facture', 'chauffage', 'solaire', 'éolien', 'nucléaire', 'gaz', 'sobriété', 'renouvelable']),
	(5, ARRAY['agriculture', 'agriculteur', 'ferme', 'marché', 'alimentation', 'élevage', 'récolte', 'paysans', 'circuits', 'bio']),
	(6, ARRAY['élection', 'scrutin', 'vote', 'procuration', 'bureau', 'assesseur', 'candidat', 'liste', 'municipales', 'électeurs']),
	(7, ARRAY['comité', 'militant', 'adhérent', 'bénévole', 'réunion', 'tractage', 'porte-à-porte', 'mobilisation', 'animateur', 'formation']),
	(8, ARRAY['budget', 'impôts', 'dépense', 'investissement', 'dette', 'fiscalité', 'recettes', 'dotation', 'finances', 'taxe']),
	(9, ARRAY['emploi', 'travail', 'salaire', 'entreprise', 'industrie', 'usine', 'artisan', 'chômage', 'apprentissage', 'commerce']),
	(10, ARRAY['culture', 'bibliothèque', 'musée', 'sport', 'jeunesse', 'festival', 'théâtre', 'association', 'stade', 'patrimoine']),
	(11, ARRAY['environnement', 'climat', 'forêt', 'rivière', 'eau', 'déchets', 'biodiversité', 'pollution', 'recyclage', 'littoral']),
	(12, ARRAY['numérique', 'internet', 'données', 'fibre', 'démarches', 'logiciel', 'inclusion', 'réseau', 'plateforme', 'cybersécurité']),
	(13, ARRAY['sécurité', 'police', 'justice', 'tribunal', 'prévention', 'gendarmerie', 'tranquillité', 'éclairage', 'médiation', 'victimes']);

CREATE TEMP TABLE corpus_every AS
	SELECT array_agg(w) AS every FROM corpus_topics, unnest(words) w;

-- How many of each kind are missing.
CREATE TEMP TABLE corpus_need AS
SELECT k.kind, greatest(0, round(k.share * (:total - have.n)))::int AS n,
	have.n AS base	-- slugs go on from there when the corpus grows
FROM (SELECT count(*) AS n FROM search_documents) have,
	(VALUES ('article', 0.60), ('page', 0.01), ('committee', 0.05),
		('event', 0.24), ('mission', 0.10)) k(kind, share);

-- The generated texts: g numbers the documents of a kind (from 1), s
-- makes their slugs. A summary has 15 to 24 words, a body 80 to 199
-- (articles, pages) or 30 to 59, mixed as said above.
CREATE TEMP TABLE corpus_docs AS
SELECT n.kind, g, n.base + g AS s, t.title, x.summary, x.body
FROM corpus_need n, generate_series(1, n.n) g
JOIN corpus_topics tp ON tp.id = g % 14,
	LATERAL (SELECT initcap(string_agg(CASE WHEN i % 2 = 1
			THEN tp.words[1 + floor(random() * 10)::int]
			ELSE c.common[1 + floor(random() * array_length(c.common, 1))::int] END, ' ')) AS title
		FROM corpus_words c, generate_series(1, 3 + g % 4) i) t,
	LATERAL (SELECT string_agg(y.w, ' ') FILTER (WHERE y.part = 1) || '.' AS summary,
			string_agg(y.w, ' ') FILTER (WHERE y.part = 2) || '.' AS body
		FROM (SELECT z.part, CASE
				WHEN z.r < 0.55 THEN c.stop[1 + floor(random() * array_length(c.stop, 1))::int]
				WHEN z.r < 0.80 THEN c.common[1 + floor(random() * array_length(c.common, 1))::int]
				WHEN z.r < 0.98 THEN tp.words[1 + floor(random() * 10)::int]
				ELSE e.every[1 + floor(random() * array_length(e.every, 1))::int] END AS w
			FROM corpus_words c, corpus_every e,
				(SELECT 1 AS part, random() AS r
				FROM generate_series(1, 15 + g % 10)
				UNION ALL
				SELECT 2, random() FROM generate_series(1,
					CASE WHEN n.kind IN ('article', 'page')
					THEN 80 + g % 120 ELSE 30 + g % 30 END)) z) y) x;

INSERT INTO articles (slug, title, summary, body_md, body_html, status,
	published_at, first_published_at)
SELECT 'search-corpus-' || s, title, summary, '## ' || title || E'\n\n' || body,
	'<h2>' || title || '</h2><p>' || body || '</p>', 'published',
	now() - make_interval(days => 400 + g % 1500, secs => g),
	now() - make_interval(days => 400 + g % 1500, secs => g)
FROM corpus_docs WHERE kind = 'article'
ORDER BY 7;

INSERT INTO pages (slug, title, body_md, body_html, status, published_at)
SELECT 'search-corpus-' || s, title, body, '<p>' || body || '</p>',
	'published', now() - make_interval(days => g % 1500, secs => g)
FROM corpus_docs WHERE kind = 'page'
ORDER BY 6;

-- One member creates the committees, one organisation offers the missions.
INSERT INTO users (email, password_hash, first_name, last_name, gender,
	postal_code, country, city_insee, city_name, status, activated_at,
	charter_accepted_at)
SELECT 'search-corpus@bench.civitas.localhost', '!bench: no password',
	'Alice', 'Bernard', 'other', '69001', 'FR', '69381', 'Lyon', 'active',
	now(), now()
WHERE EXISTS (SELECT 1 FROM corpus_need WHERE kind = 'committee' AND n > 0)
ON CONFLICT DO NOTHING;

CREATE TEMP TABLE corpus_places AS
SELECT row_number() OVER () AS n, postal_code, insee_code, name
FROM (SELECT DISTINCT ON (c.insee_code) c.postal_code, c.insee_code, c.name
	FROM communes c ORDER BY c.insee_code, c.postal_code) x;

INSERT INTO committees (slug, name, description, description_html,
	postal_code, country, city_insee, city_name, status, approved_at,
	created_by)
SELECT 'search-corpus-' || d.s, left('Comité ' || d.s || ' ' || d.title, 50), d.body,
	'<p>' || d.body || '</p>', p.postal_code, 'FR', p.insee_code, p.name,
	'approved', now() - make_interval(days => d.g % 1500, secs => d.g),
	(SELECT id FROM users WHERE email = 'search-corpus@bench.civitas.localhost')
FROM corpus_docs d
JOIN corpus_places p ON p.n = 1 + (d.g * 7919) % (SELECT count(*) FROM corpus_places)
WHERE d.kind = 'committee'
ORDER BY 10;

INSERT INTO events (slug, organizer_name, name, description,
	description_html, begins_at, finishes_at, time_zone, online_url,
	created_at)
SELECT 'search-corpus-' || s, 'Alice B.', left(title, 100), body,
	'<p>' || body || '</p>',
	now() + make_interval(days => 1 + g % 300, hours => 18),
	now() + make_interval(days => 1 + g % 300, hours => 20),
	'Europe/Paris', 'https://example.org/visio/' || g,
	now() - make_interval(days => g % 365, secs => g)
FROM corpus_docs WHERE kind = 'event'
ORDER BY 10;

INSERT INTO organisations (slug, name, legal_kind, rna, street, postal_code,
	country, city_insee, city_name, description, description_html,
	charter_accepted_at, wizard_step, status, submitted_at, validated_at)
SELECT 'search-corpus', 'Association du corpus de recherche', 'association',
	'W690000012', '1 place de la Mairie', '69001', 'FR', '69381', 'Lyon',
	'Une association du corpus de mesure.',
	'<p>Une association du corpus de mesure.</p>', now(), 'charte',
	'validated', now(), now()
WHERE EXISTS (SELECT 1 FROM corpus_need WHERE kind = 'mission' AND n > 0)
ON CONFLICT DO NOTHING;

INSERT INTO missions (slug, organisation_id, title, domain_id, description,
	description_html, remote, date_kind, starts_at, ends_at, places,
	min_age, status, submitted_at, validated_at)
SELECT 'search-corpus-' || s,
	(SELECT id FROM organisations WHERE slug = 'search-corpus'),
	left(title, 120), 1 + g % 12, body, '<p>' || body || '</p>', true,
	'one_off', now() + make_interval(days => 1 + g % 60),
	now() + make_interval(days => 31 + g % 300), 10, 16, 'validated',
	now() - make_interval(days => g % 365, secs => g),
	now() - make_interval(days => g % 365, secs => g)
FROM corpus_docs WHERE kind = 'mission'
ORDER BY 15;

ANALYZE articles;
ANALYZE pages;
ANALYZE committees;
ANALYZE events;
ANALYZE missions;
ANALYZE search_documents;
