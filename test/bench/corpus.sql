-- `make bench`: grow the corpus with generated French articles (the search
-- triggers fill search_documents in the same statement). Run with
-- psql -1 -v total=N (the number of articles to add). Older than the demo
-- articles, so the homepage still shows those. Deterministic (setseed).
--
-- Like real campaign news, each article is about one topic: its words are
-- drawn from French stop words (dropped by the index, ~55%), words common
-- to every subject (~25%), its topic's own words (~18%) and, rarely, any
-- topic's (~2%). A topic word is thus found in roughly one article in ten
-- or twenty, as in a real site, not in every other one.
SELECT setseed(0.42);

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

INSERT INTO articles (slug, title, summary, body_md, body_html, status,
	published_at, first_published_at)
SELECT 'corpus-' || g, t.title, t.summary,
	'## ' || t.title || E'\n\n' || t.body,
	'<h2>' || t.title || '</h2><p>' || t.body || '</p>',
	'published', now() - make_interval(days => 400 + g % 1500, secs => g),
	now() - make_interval(days => 400 + g % 1500, secs => g)
FROM generate_series(1, :total) g
JOIN corpus_topics tp ON tp.id = g % 14,
	LATERAL (SELECT
		(SELECT initcap(string_agg(CASE WHEN i % 2 = 1
				THEN tp.words[1 + floor(random() * 10)::int]
				ELSE c.common[1 + floor(random() * array_length(c.common, 1))::int] END, ' '))
			FROM corpus_words c, generate_series(1, 3 + g % 4) i) AS title,
		(SELECT string_agg(CASE
				WHEN x.r < 0.55 THEN c.stop[1 + floor(random() * array_length(c.stop, 1))::int]
				WHEN x.r < 0.80 THEN c.common[1 + floor(random() * array_length(c.common, 1))::int]
				WHEN x.r < 0.98 THEN tp.words[1 + floor(random() * 10)::int]
				ELSE e.every[1 + floor(random() * array_length(e.every, 1))::int] END, ' ') || '.'
			FROM corpus_words c, corpus_every e,
				(SELECT random() AS r FROM generate_series(1, 15 + g % 10)) x) AS summary,
		(SELECT string_agg(CASE
				WHEN x.r < 0.55 THEN c.stop[1 + floor(random() * array_length(c.stop, 1))::int]
				WHEN x.r < 0.80 THEN c.common[1 + floor(random() * array_length(c.common, 1))::int]
				WHEN x.r < 0.98 THEN tp.words[1 + floor(random() * 10)::int]
				ELSE e.every[1 + floor(random() * array_length(e.every, 1))::int] END, ' ') || '.'
			FROM corpus_words c, corpus_every e,
				(SELECT random() AS r FROM generate_series(1, 80 + g % 120)) x) AS body
	) t;
