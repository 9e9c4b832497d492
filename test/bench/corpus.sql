-- `make bench`: grow the corpus to 10,000 articles of varied French words
-- (the search triggers fill search_documents in the same statement). Older
-- than the demo articles, so the homepage still shows those. Deterministic
-- (setseed). Run with psql -v total=10000 (the number of articles wanted).
-- Words are drawn with a skewed law (index ~ n * random()^3): the common
-- words (first, mostly French stop words, dropped by the index) are the
-- most frequent and the specific ones (last) rarer and rarer, roughly as in
-- real text (titles: no stop words), so a query matches from a few dozen to a few thousand rows.
SELECT setseed(0.42);

CREATE TEMP TABLE corpus_words AS SELECT ARRAY[
	'le', 'la', 'les', 'de', 'des', 'du', 'un', 'une', 'et', 'à', 'en',
	'pour', 'avec', 'dans', 'sur', 'par', 'nous', 'notre', 'nos', 'vous',
	'est', 'sont', 'plus', 'qui', 'que', 'ce', 'cette', 'ces', 'il', 'elle',
	'tous', 'chaque', 'aussi', 'mais', 'sans', 'entre', 'comme', 'leur',
	'faire', 'avoir', 'être', 'dire', 'voir', 'pouvoir', 'vouloir', 'aller',
	'transports', 'train', 'gare', 'bus', 'vélo', 'piste', 'cyclable',
	'route', 'école', 'collège', 'lycée', 'enseignant', 'élève', 'classe',
	'santé', 'hôpital', 'médecin', 'infirmière', 'urgences', 'pharmacie',
	'logement', 'loyer', 'rénovation', 'isolation', 'quartier', 'immeuble',
	'énergie', 'électricité', 'facture', 'chauffage', 'solaire', 'éolien',
	'agriculture', 'agriculteur', 'ferme', 'marché', 'alimentation',
	'commune', 'mairie', 'conseil', 'municipal', 'département', 'région',
	'élection', 'scrutin', 'vote', 'procuration', 'bureau', 'assesseur',
	'comité', 'militant', 'adhérent', 'bénévole', 'réunion', 'publique',
	'budget', 'impôts', 'dépense', 'investissement', 'dette', 'emploi',
	'travail', 'salaire', 'entreprise', 'industrie', 'usine', 'artisan',
	'culture', 'bibliothèque', 'musée', 'sport', 'jeunesse', 'retraite',
	'sécurité', 'police', 'justice', 'tribunal', 'liberté', 'égalité',
	'fraternité', 'république', 'démocratie', 'citoyen', 'citoyenne',
	'environnement', 'climat', 'forêt', 'rivière', 'eau', 'déchets',
	'numérique', 'internet', 'données', 'service', 'accueil', 'proximité',
	'village', 'ville', 'campagne', 'montagne', 'littoral', 'banlieue',
	'solidarité', 'association', 'famille', 'enfants', 'crèche', 'cantine',
	'nouveau', 'grand', 'local', 'national', 'public', 'durable', 'juste',
	'plan', 'projet', 'proposition', 'débat', 'rencontre', 'annonce'
]::text[] AS w;

INSERT INTO articles (slug, title, summary, body_md, body_html, status,
	published_at, first_published_at)
SELECT 'corpus-' || g, t.title, t.summary,
	'## ' || t.title || E'\n\n' || t.body,
	'<h2>' || t.title || '</h2><p>' || t.body || '</p>',
	'published', now() - make_interval(days => 400 + g % 1500, secs => g),
	now() - make_interval(days => 400 + g % 1500, secs => g)
FROM generate_series(1, :total) g,
	LATERAL (SELECT
		(SELECT initcap(string_agg(w[49 + floor(random() * (array_length(w, 1) - 48))::int], ' '))
			FROM corpus_words, generate_series(1, 4 + g % 5)) AS title,
		(SELECT string_agg(w[1 + floor(power(random(), 3) * array_length(w, 1))::int], ' ') || '.'
			FROM corpus_words, generate_series(1, 15 + g % 10)) AS summary,
		(SELECT string_agg(w[1 + floor(power(random(), 3) * array_length(w, 1))::int], ' ') || '.'
			FROM corpus_words, generate_series(1, 80 + g % 120)) AS body
	) t;
