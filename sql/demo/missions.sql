-- Demo volunteer missions (issue 11) for `make run` (scripts/demo-content.sh),
-- never for production. Run in ONE transaction (psql -1) after
-- sql/demo/mail.sql, once. Dates are relative to now(); the descriptions'
-- HTML is written here (plain sentences, nothing to escape).
--
-- Ten organisations: nine validated across France and one pending in Lyon
-- (for a referent of the Rhône, Marianne, to validate). Marianne manages
-- "Entraide Presqu'île" (Lyon) with a co-manager. Forty missions across the
-- twelve domains: on site (one with two places) and remote, one-off and
-- recurring, some with time slots; 35 online, one completed, one cancelled,
-- two pending moderation, one draft. "Distribution alimentaire du samedi"
-- is full (3 places taken) with two volunteers on its waiting list.
-- Applications in every state (queued, waiting, in progress, validated,
-- refused, cancelled), a thread of four messages between Marianne and an
-- organisation, and one between Marianne (as a manager) and a volunteer.
-- The managers and volunteers are demo members who cannot log in (their
-- password hash is not a hash), at @demo.civitas.localhost addresses.

-- 1. People. -------------------------------------------------------------

INSERT INTO users (email, password_hash, first_name, last_name, gender,
	birth_date, postal_code, country, city_insee, city_name, status,
	activated_at, charter_accepted_at)
SELECT x.email, '!demo: no password', x.first, x.last, 'other',
	date '1985-01-01' + (x.i * 397) % 9000, x.postal, 'FR', x.insee, x.city,
	'active', now(), now()
FROM (SELECT i,
	(ARRAY['Amandine', 'Bastien', 'Capucine', 'Damien', 'Estelle', 'Florian',
		'Gabrielle', 'Hervé', 'Isabelle', 'Jérôme', 'Laure', 'Mathis',
		'Noémie', 'Olivier', 'Pauline', 'Quentin', 'Romane', 'Samuel',
		'Tiphaine', 'Ugo', 'Valentine', 'William', 'Yasmine', 'Zacharie',
		'Agathe', 'Benoît'])[i] AS first,
	(ARRAY['Aubert', 'Barbier', 'Carpentier', 'Delorme', 'Étienne', 'Ferrand',
		'Gauthier', 'Hamon', 'Imbert', 'Joly', 'Klein', 'Lacroix',
		'Marchand', 'Noël', 'Olivier', 'Perrin', 'Renaud', 'Schmitt',
		'Tessier', 'Vasseur', 'Weiss', 'Ygout', 'Zimmer', 'Arnaud',
		'Bouvier', 'Collet'])[i] AS last,
	CASE WHEN i <= 10 THEN 'orga' || i ELSE 'benevole' || (i - 10) END
		|| '@demo.civitas.localhost' AS email,
	(ARRAY['69002', '69100', '75011', '13001', '59000', '33000', '35000',
		'67000', '31000', '69003'])[1 + i % 10] AS postal,
	(ARRAY['69382', '69266', '75111', '13201', '59350', '33063', '35238',
		'67482', '31555', '69383'])[1 + i % 10] AS insee,
	(ARRAY['Lyon 2e Arrondissement', 'Villeurbanne',
		'Paris 11e Arrondissement', 'Marseille 1er Arrondissement', 'Lille',
		'Bordeaux', 'Rennes', 'Strasbourg', 'Toulouse',
		'Lyon 3e Arrondissement'])[1 + i % 10] AS city
	FROM generate_series(1, 26) i) x
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = x.email);

-- 2. Organisations. -------------------------------------------------------

CREATE TEMP TABLE demo_org (
	n integer PRIMARY KEY, slug text, name text, kind text, ident text,
	street text, postal text, insee text, city text, manager text,
	domains smallint[], website text, description text
) ON COMMIT DROP;
INSERT INTO demo_org VALUES
(1, 'entraide-presqu-ile', 'Entraide Presqu''île', 'association', 'W691000011',
 '12 rue Mercière', '69002', '69382', 'Lyon 2e Arrondissement',
 'marianne@civitas.localhost', '{1,10}', 'https://example.org/entraide',
 'Une association de quartier qui distribue des repas, accompagne les personnes isolées et anime un café solidaire au cœur de Lyon.'),
(2, 'les-jardins-de-villeurbanne', 'Les Jardins de Villeurbanne', 'association',
 'W691000022', '5 avenue Henri Barbusse', '69100', '69266', 'Villeurbanne',
 'orga2', '{4,10}', NULL,
 'Des jardins partagés ouverts à tous, des ateliers de compostage et des chantiers nature dans la métropole.'),
(3, 'soutien-scolaire-paris-11', 'Soutien scolaire Paris 11', 'association',
 'W751000033', '40 rue Oberkampf', '75011', '75111', 'Paris 11e Arrondissement',
 'orga3', '{3}', NULL,
 'Aide aux devoirs, ateliers de lecture et accompagnement des collégiens du quartier, chaque soir de la semaine.'),
(4, 'mer-et-littoral-marseille', 'Mer et littoral Marseille', 'association',
 'W131000044', '2 quai du Port', '13001', '13201',
 'Marseille 1er Arrondissement', 'orga4', '{4,6}', NULL,
 'Nettoyage des plages et des calanques, sensibilisation du public et sorties en mer pour les enfants.'),
(5, 'ville-de-lille-solidarites', 'Ville de Lille, direction des solidarités',
 'collectivity', '97778188049170', 'Place Augustin Laurent', '59000', '59350',
 'Lille', 'orga5', '{1,2,9}', 'https://example.org/lille',
 'Les actions solidaires de la ville : maraudes, veille auprès des personnes âgées et épiceries sociales.'),
(6, 'musees-pour-tous-bordeaux', 'Musées pour tous Bordeaux', 'association',
 'W331000066', '20 cours Pasteur', '33000', '33063', 'Bordeaux', 'orga6',
 '{5}', NULL,
 'Rendre les musées accessibles : visites en langue des signes, accueil des publics éloignés de la culture.'),
(7, 'sport-ensemble-rennes', 'Sport ensemble Rennes', 'association',
 'W351000077', '8 boulevard de la Liberté', '35000', '35238', 'Rennes',
 'orga7', '{6,10}', NULL,
 'Du sport partagé entre personnes valides et en situation de handicap, tous les week-ends.'),
(8, 'memoire-d-alsace', 'Mémoire d''Alsace', 'public', '80868917121876',
 '1 place de l''Université', '67000', '67482', 'Strasbourg', 'orga8',
 '{7,8}', NULL,
 'Un établissement public qui collecte les témoignages et accueille des échanges internationaux de jeunes.'),
(9, 'refuge-des-pattes-toulouse', 'Refuge des pattes Toulouse', 'association',
 'W311000099', '15 chemin des Canaux', '31000', '31555', 'Toulouse', 'orga9',
 '{12}', NULL,
 'Un refuge pour chiens et chats abandonnés : soins, promenades, adoptions responsables.'),
(10, 'numerique-solidaire-lyon', 'Numérique solidaire Lyon', 'private',
 '90420032304553', '30 cours Gambetta', '69003', '69383',
 'Lyon 3e Arrondissement', 'orga10', '{11,3}', NULL,
 'Une entreprise dont les salariés accompagnent des habitants dans leurs démarches en ligne. En attente de validation.');
UPDATE demo_org SET manager = manager || '@demo.civitas.localhost'
WHERE manager NOT LIKE '%@%';

INSERT INTO organisations (slug, name, legal_kind, siret, rna, street,
	postal_code, country, city_insee, city_name, description,
	description_html, website_url, charter_accepted_at, wizard_step, status,
	created_by, created_at, submitted_at, validated_at)
SELECT d.slug, d.name, d.kind,
	CASE WHEN d.ident !~ '^W' THEN d.ident END,
	CASE WHEN d.ident ~ '^W' THEN d.ident END,
	d.street, d.postal, 'FR', d.insee, d.city, d.description,
	'<p>' || d.description || '</p>', d.website,
	now() - make_interval(days => 120 - d.n), 'charte',
	CASE WHEN d.n = 10 THEN 'pending' ELSE 'validated' END, u.id,
	now() - make_interval(days => 121 - d.n),
	now() - make_interval(days => CASE WHEN d.n = 10 THEN 2 ELSE 120 - d.n END),
	CASE WHEN d.n <> 10 THEN now() - make_interval(days => 110 - d.n) END
FROM demo_org d JOIN users u ON u.email = d.manager;

INSERT INTO organisation_managers (organisation_id, user_id, added_at)
SELECT o.id, o.created_by, o.created_at FROM organisations o
JOIN demo_org d ON d.slug = o.slug;
-- Marianne's co-manager.
INSERT INTO organisation_managers (organisation_id, user_id, added_at,
	invited_by)
SELECT o.id, u.id, now() - interval '30 days', o.created_by
FROM organisations o, users u
WHERE o.slug = 'entraide-presqu-ile' AND u.email = 'orga1@demo.civitas.localhost';

INSERT INTO organisation_domains (organisation_id, domain_id)
SELECT o.id, unnest(d.domains) FROM organisations o
JOIN demo_org d ON d.slug = o.slug;

-- 3. Missions. ------------------------------------------------------------

-- n, organisation, domain, title, where (NULL: remote), description;
-- the dates, places and slots follow from n below.
CREATE TEMP TABLE demo_mission (
	n integer PRIMARY KEY, org integer, domain smallint, title text,
	place text, description text
) ON COMMIT DROP;
INSERT INTO demo_mission VALUES
(1, 1, 1, 'Servir le petit-déjeuner solidaire', '69382', 'Accueillir les personnes sans abri autour d''un café et d''un petit-déjeuner chaud, discuter, orienter.'),
(2, 1, 1, 'Distribution alimentaire du samedi', '69382', 'Préparer les colis et les remettre aux familles inscrites, dans la bonne humeur.'),
(3, 1, 10, 'Animer le café solidaire du quartier', '69381', 'Tenir le comptoir, proposer des jeux de société et créer du lien entre voisins.'),
(4, 1, 1, 'Appeler des personnes âgées isolées', NULL, 'Un appel par semaine à une personne âgée seule, depuis chez vous, pour prendre des nouvelles.'),
(5, 1, 9, 'Accompagner des familles à la préfecture', '69383', 'Accompagner des familles dans leurs démarches et les aider à remplir les formulaires.'),
(6, 2, 4, 'Chantier de plantation d''une haie', '69266', 'Planter une haie champêtre de trois cents mètres avec les habitants et les écoles.'),
(7, 2, 4, 'Atelier compostage au jardin partagé', '69266', 'Montrer aux habitants comment composter leurs déchets de cuisine.'),
(8, 2, 10, 'Accueillir au jardin le dimanche', '69266', 'Ouvrir le jardin aux promeneurs, présenter les parcelles et les projets.'),
(9, 2, 4, 'Recenser les oiseaux des parcs', '69266', 'Compter les oiseaux avec un naturaliste, noter les espèces, partager les résultats.'),
(10, 3, 3, 'Aide aux devoirs des collégiens', '75111', 'Accompagner un petit groupe de collégiens dans leurs devoirs, deux soirs par semaine.'),
(11, 3, 3, 'Atelier lecture pour les 6 à 8 ans', '75111', 'Lire des histoires à voix haute et donner le goût des livres.'),
(12, 3, 3, 'Tutorat de mathématiques à distance', NULL, 'Une heure de visioconférence par semaine avec un lycéen qui prépare le baccalauréat.'),
(13, 3, 11, 'Préparer des lycéens aux entretiens', '75111', 'Simuler des entretiens de stage et donner des conseils sur le CV.'),
(14, 4, 4, 'Nettoyage de la calanque de Sormiou', '13201', 'Ramasser les déchets sur les sentiers et les plages, trier, peser.'),
(15, 4, 6, 'Encadrer une sortie voile pour enfants', '13201', 'Aider les moniteurs à encadrer des enfants du quartier lors d''une sortie en mer.'),
(16, 4, 4, 'Sensibiliser les baigneurs sur la plage', '13201', 'Tenir un stand sur le tri des déchets et la protection des herbiers.'),
(17, 4, 4, 'Cartographier les déchets du littoral', NULL, 'Classer des photographies de déchets prises par les équipes, depuis chez vous.'),
(18, 5, 1, 'Maraude du soir dans le centre', '59350', 'Aller à la rencontre des personnes à la rue avec une boisson chaude et un kit d''hygiène.'),
(19, 5, 2, 'Visites de convivialité aux aînés', '59350', 'Rendre visite chaque semaine à une personne âgée de votre quartier.'),
(20, 5, 9, 'Veille canicule auprès des aînés', '59350', 'Appeler et visiter les personnes fragiles pendant les fortes chaleurs.'),
(21, 5, 1, 'Tenir l''épicerie sociale', '59350', 'Accueillir les bénéficiaires, ranger les rayons, tenir la caisse.'),
(22, 6, 5, 'Accueillir le public au musée', '33063', 'Accueillir les visiteurs, les orienter et présenter les expositions.'),
(23, 6, 5, 'Visites pour les personnes malvoyantes', '33063', 'Décrire les œuvres et guider des visiteurs malvoyants dans les salles.'),
(24, 6, 5, 'Numériser les archives photographiques', NULL, 'Décrire et classer des photographies anciennes numérisées, depuis chez vous.'),
(25, 7, 6, 'Encadrer un match de basket fauteuil', '35238', 'Installer le gymnase, arbitrer et accompagner les joueurs.'),
(26, 7, 6, 'Course solidaire des bords de Vilaine', '35238', 'Accueillir les coureurs, tenir un ravitaillement, baliser le parcours.'),
(27, 7, 10, 'Marche douce du dimanche', '35238', 'Accompagner une marche de cinq kilomètres avec des personnes âgées.'),
(28, 8, 7, 'Recueillir des témoignages d''anciens', '67482', 'Enregistrer les souvenirs d''habitants et les retranscrire.'),
(29, 8, 8, 'Accueillir des jeunes européens', '67482', 'Faire découvrir la ville à des jeunes venus d''Allemagne et de Pologne.'),
(30, 8, 7, 'Transcrire des lettres de soldats', NULL, 'Transcrire des lettres manuscrites numérisées pour une exposition.'),
(31, 8, 8, 'Traduire des documents pour l''accueil', NULL, 'Traduire en anglais ou en allemand les documents d''accueil des jeunes.'),
(32, 9, 12, 'Promener les chiens du refuge', '31555', 'Sortir les chiens en promenade deux heures le samedi matin.'),
(33, 9, 12, 'Soigner les chats en famille d''accueil', '31555', 'Accueillir chez vous un chat convalescent quelques semaines.'),
(34, 9, 12, 'Journée portes ouvertes du refuge', '31555', 'Présenter les animaux aux familles et expliquer l''adoption responsable.'),
(35, 9, 11, 'Créer les affiches du refuge', NULL, 'Concevoir les affiches et les publications des adoptions de la saison.'),
(36, 1, 1, 'Collecte nationale dans les supermarchés', '69387', 'Tenir un point de collecte à l''entrée d''un magasin pendant deux heures.'),
(37, 2, 4, 'Grand nettoyage des berges du Rhône', '69266', 'Une matinée de ramassage des déchets le long des berges, l''été dernier.'),
(38, 3, 3, 'Sortie au musée avec les élèves', '75111', 'Accompagner une classe au musée, annulée faute de car.'),
(39, 6, 5, 'Médiation pendant la Nuit des musées', '33063', 'Guider les visiteurs de nuit et animer un atelier de dessin.'),
(40, 7, 6, 'Tournoi de foot inclusif', '35238', 'Organiser un tournoi entre équipes mixtes, en attente de validation.');

-- Dates by n: every third one is recurring (a weekly commitment from ten
-- days ago, open-ended or six months), the others one-off, between two and
-- forty days from now. 37 is completed (last summer), 38 cancelled, 39 and
-- 40 pending, 35 a draft. Places: 2 to 16; the full one (2) has 3.
INSERT INTO missions (slug, organisation_id, title, domain_id, description,
	description_html, remote, date_kind, starts_at, ends_at, hours_per_week,
	places, min_age, prerequisites, status, created_by, created_at,
	submitted_at, validated_at, completed_at)
SELECT m.slug, o.id, m.title, m.domain, m.description,
	'<p>' || m.description || '</p>', m.place IS NULL,
	CASE WHEN m.n % 3 = 0 AND m.n < 37 THEN 'recurring' ELSE 'one_off' END,
	m.starts, CASE
		WHEN m.n % 3 = 0 AND m.n < 37 AND m.n % 2 = 0 THEN NULL
		WHEN m.n % 3 = 0 AND m.n < 37 THEN m.starts + interval '180 days'
		ELSE m.starts + make_interval(hours => 3 + (m.n % 4) * 24)
	END,
	CASE WHEN m.n % 3 = 0 AND m.n < 37 THEN 2 + m.n % 5 END,
	CASE WHEN m.n = 2 THEN 3 ELSE 2 + (m.n * 7) % 15 END,
	CASE WHEN m.n IN (15, 33) THEN 18 WHEN m.n = 11 THEN 16 ELSE 0 END,
	CASE WHEN m.n = 15 THEN ARRAY['Je sais nager 50 mètres.']
		WHEN m.n = 33 THEN ARRAY['J''ai un logement où un chat peut vivre.',
			'Je peux garder l''animal au moins trois semaines.']
		WHEN m.n = 18 THEN ARRAY['Je peux venir deux soirs par mois.']
		ELSE '{}' END,
	CASE m.n WHEN 37 THEN 'completed' WHEN 38 THEN 'cancelled'
		WHEN 39 THEN 'pending' WHEN 40 THEN 'pending' WHEN 35 THEN 'draft'
		ELSE 'validated' END,
	o.created_by, now() - make_interval(days => 60 - m.n % 30),
	CASE WHEN m.n <> 35 THEN now() - make_interval(days => 50 - m.n % 30) END,
	CASE WHEN m.n NOT IN (35, 39, 40) THEN
		now() - make_interval(days => 45 - m.n % 30) END,
	CASE WHEN m.n = 37 THEN now() - interval '200 days' END
FROM (SELECT d.*,
	trim(BOTH '-' FROM regexp_replace(lower(translate(d.title,
		'àâäçéèêëîïôöùûüÿœ''', 'aaaceeeeiioouuuyo-')), '[^a-z0-9]+', '-',
		'g')) AS slug,
	CASE WHEN d.n = 37 THEN date_trunc('day', now()) - interval '230 days'
		+ interval '9 hours'
	WHEN d.n % 3 = 0 THEN date_trunc('day', now()) - interval '10 days'
		+ interval '9 hours'
	ELSE date_trunc('day', now()) + make_interval(days => 2 + (d.n * 11) % 39,
		hours => 9) END AS starts
	FROM demo_mission d) m
JOIN demo_org g ON g.n = m.org
JOIN organisations o ON o.slug = g.slug;

-- Where: the commune of each on-site mission; the national collection
-- (36) in two stores.
INSERT INTO mission_places (mission_id, position, street, postal_code,
	country, city_insee, city_name)
SELECT mi.id, 1, '1 place de la Mairie', c.postal_code, 'FR', c.insee_code,
	c.name
FROM demo_mission d
JOIN missions mi ON mi.title = d.title
JOIN LATERAL (SELECT * FROM communes c WHERE c.insee_code = d.place
	ORDER BY c.postal_code LIMIT 1) c ON true
WHERE d.place IS NOT NULL;
INSERT INTO mission_places (mission_id, position, street, postal_code,
	country, city_insee, city_name)
SELECT mi.id, 2, '12 avenue Roger Salengro', '69100', 'FR', '69266',
	'Villeurbanne'
FROM missions mi WHERE mi.title = 'Collecte nationale dans les supermarchés';

-- Time slots: three a mission for 6, 14, 22, 26 and 34 (each slot holds
-- half the places, rounded up).
INSERT INTO mission_slots (mission_id, starts_at, ends_at, capacity)
SELECT mi.id, mi.starts_at + make_interval(days => s.k - 1),
	mi.starts_at + make_interval(days => s.k - 1, hours => 3),
	(mi.places + 1) / 2
FROM demo_mission d JOIN missions mi ON mi.title = d.title,
	generate_series(1, 3) s(k)
WHERE d.n IN (6, 14, 22, 26, 34);

-- 4. Applications. --------------------------------------------------------

-- (mission n, volunteer: benevoleK or 'marianne', status, reason, days
-- ago, slot index or NULL). Taking places in the order given: the
-- counters are kept by the trigger, as for real applications.
CREATE TEMP TABLE demo_application (
	k serial, mission integer, who text, status text, reason text,
	days integer, slot integer
) ON COMMIT DROP;
INSERT INTO demo_application (mission, who, status, reason, days, slot) VALUES
	-- the full mission: three places taken, two on the waiting list
	(2, 'benevole1', 'validated', NULL, 20, NULL),
	(2, 'benevole2', 'in_progress', NULL, 15, NULL),
	(2, 'benevole3', 'waiting', NULL, 12, NULL),
	(2, 'benevole4', 'queued', NULL, 6, NULL),
	(2, 'benevole5', 'queued', NULL, 3, NULL),
	(2, 'benevole6', 'refused', 'requirements_not_fulfilled', 18, NULL),
	(2, 'benevole7', 'cancelled', 'not_available', 16, NULL),
	-- Marianne as a volunteer: a thread with the refuge, and a validation
	(32, 'marianne', 'in_progress', NULL, 9, NULL),
	(19, 'marianne', 'validated', NULL, 25, NULL),
	-- her organisation's missions: to process (waiting > 7 days) and more
	(1, 'benevole8', 'waiting', NULL, 10, NULL),
	(1, 'benevole9', 'waiting', NULL, 2, NULL),
	(1, 'benevole10', 'in_progress', NULL, 8, NULL),
	(3, 'benevole11', 'validated', NULL, 30, NULL),
	(4, 'benevole12', 'refused', 'no_response', 14, NULL),
	(5, 'benevole13', 'cancelled', 'other', 11, NULL),
	-- elsewhere, with slots too
	(6, 'benevole1', 'waiting', NULL, 4, 1),
	(6, 'benevole2', 'validated', NULL, 7, 2),
	(14, 'benevole3', 'in_progress', NULL, 5, 1),
	(10, 'benevole4', 'validated', NULL, 21, NULL),
	(12, 'benevole5', 'waiting', NULL, 1, NULL),
	(18, 'benevole6', 'validated', NULL, 13, NULL),
	(22, 'benevole7', 'waiting', NULL, 9, 3),
	(25, 'benevole8', 'refused', 'other', 17, NULL),
	(29, 'benevole9', 'in_progress', NULL, 6, NULL),
	(37, 'benevole10', 'validated', NULL, 240, NULL),
	(38, 'benevole11', 'cancelled', 'mission_cancelled', 20, NULL),
	(24, 'benevole12', 'waiting', NULL, 3, NULL),
	(33, 'benevole13', 'cancelled', 'not_available', 8, NULL);

INSERT INTO applications (mission_id, user_id, slot_id, motivation, status,
	reason, created_at, updated_at, status_at, promoted_at)
SELECT mi.id, u.id,
	(SELECT s.id FROM mission_slots s WHERE s.mission_id = mi.id
		ORDER BY s.starts_at, s.id OFFSET a.slot - 1 LIMIT 1),
	'Bonjour, je suis disponible et motivé(e) pour cette mission : '
		|| lower(d.title) || '.',
	a.status, a.reason, now() - make_interval(days => a.days),
	now() - make_interval(days => a.days / 2),
	now() - make_interval(days => CASE WHEN a.status IN ('waiting', 'queued')
		THEN a.days ELSE a.days / 2 END), NULL
FROM demo_application a
JOIN demo_mission d ON d.n = a.mission
JOIN missions mi ON mi.title = d.title
JOIN users u ON u.email = a.who || CASE WHEN a.who = 'marianne'
	THEN '@civitas.localhost' ELSE '@demo.civitas.localhost' END
ORDER BY a.k;

-- 5. Threads. -------------------------------------------------------------

-- Marianne and the refuge (her application in progress: the refuge
-- replied), and Marianne as a manager with a volunteer.
INSERT INTO application_messages (application_id, author_id, side, body,
	created_at)
SELECT ap.id, CASE WHEN t.side = 'volunteer' THEN ap.user_id
	ELSE o.created_by END, t.side, t.body,
	now() - make_interval(days => 9, hours => -t.h)
FROM applications ap
JOIN users u ON u.id = ap.user_id
JOIN missions mi ON mi.id = ap.mission_id
JOIN organisations o ON o.id = mi.organisation_id,
	(VALUES
	(1, 'volunteer', 'Bonjour, j''aime beaucoup les chiens et je suis libre tous les samedis matin. Faut-il une expérience ?'),
	(20, 'organisation', 'Bonjour Marianne, merci ! Aucune expérience n''est demandée : nous vous montrerons tout lors de la première promenade.'),
	(26, 'volunteer', 'Parfait. À quelle heure dois-je arriver au refuge ?'),
	(30, 'organisation', 'Rendez-vous à 9 h à l''accueil, avec de bonnes chaussures. À samedi !'))
	AS t(h, side, body)
WHERE u.email = 'marianne@civitas.localhost'
AND mi.title = 'Promener les chiens du refuge';

INSERT INTO application_messages (application_id, author_id, side, body,
	created_at)
SELECT ap.id, CASE WHEN t.side = 'volunteer' THEN ap.user_id
	ELSE m.id END, t.side, t.body,
	now() - make_interval(days => 8, hours => -t.h)
FROM applications ap
JOIN users u ON u.id = ap.user_id
JOIN missions mi ON mi.id = ap.mission_id,
	users m,
	(VALUES
	(1, 'volunteer', 'Bonjour, je peux venir le mardi et le jeudi matin. Est-ce que cela convient ?'),
	(5, 'organisation', 'Bonjour, oui tout à fait, le mardi est même le jour où nous avons le plus besoin d''aide. Merci !'))
	AS t(h, side, body)
WHERE u.email = 'benevole10@demo.civitas.localhost'
AND mi.title = 'Servir le petit-déjeuner solidaire'
AND m.email = 'marianne@civitas.localhost';
