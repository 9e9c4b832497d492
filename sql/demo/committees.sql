-- Demo committees and events for `make run` (scripts/demo-content.sh),
-- never for production. Run in ONE transaction (psql -1) after content.sql:
-- the admin and Marianne (scripts/demo.sh) normally exist; without them (the
-- bench) Marianne is made a demo member and national events have no
-- organiser account. Dates are relative to now(); description_html is
-- rendered afterwards by `civitas-fcgi rerender`, like the articles.
--
-- Twelve approved committees across France (Lyon, Villeurbanne, Paris 11e
-- and 18e, Marseille, Lille, Bordeaux, Rennes, Strasbourg, Ajaccio,
-- Saint-Denis de La Réunion) and one abroad (Berlin), one pending
-- (Grenoble); about thirty events: past, upcoming, one full with a waiting
-- list, one cancelled, one online, one in La Réunion. Marianne supervises
-- "Lyon Presqu'île" and follows Villeurbanne and Paris 11e.
--
-- The hosts and followers are demo members who cannot log in (their
-- password hash is not a hash) at @demo.civitas.localhost addresses.

CREATE TEMP TABLE demo_committee (
	n integer, slug text, name text, postal_code text, insee text,
	city text, country char(2), host text, description text
) ON COMMIT DROP;

INSERT INTO demo_committee VALUES
(1, 'lyon-presqu-ile', 'Lyon Presqu''île', '69002', '69382', 'Lyon 2e Arrondissement', 'FR', 'marianne@civitas.localhost',
 'Le comité du cœur de Lyon, entre Rhône et Saône. Nous tenons une **permanence chaque samedi** place des Jacobins et organisons des réunions de quartier tous les mois.'),
(2, 'villeurbanne-en-marche', 'Villeurbanne en marche', '69100', '69266', 'Villeurbanne', 'FR', 'paul.girard',
 'Gratte-Ciel, Charpennes, Cusset : le comité de Villeurbanne rassemble des habitants de tous les quartiers autour des transports et du logement.'),
(3, 'paris-11-republique', 'Paris 11e – République', '75011', '75111', 'Paris 11e Arrondissement', 'FR', 'lea.martin',
 'De la place de la République à Nation, nous débattons chaque mois d''un thème choisi par les adhérents. Prochain sujet : **le logement étudiant**.'),
(4, 'paris-18-montmartre', 'Paris 18e – Montmartre', '75018', '75118', 'Paris 18e Arrondissement', 'FR', 'karim.benali',
 'Un comité jeune et actif, présent sur les marchés de la Chapelle et de Barbès chaque dimanche matin.'),
(5, 'marseille-vieux-port', 'Marseille Vieux-Port', '13001', '13201', 'Marseille 1er Arrondissement', 'FR', 'sophie.roux',
 'Le comité du centre de Marseille : porte-à-porte, réunions publiques et un grand débat sur la mer et le littoral.'),
(6, 'lille-centre', 'Lille Centre', '59000', '59350', 'Lille', 'FR', 'thomas.lefebvre',
 'Nous réunissons des Lillois de tous horizons autour de l''emploi, de la formation et des transports de la métropole.'),
(7, 'bordeaux-rive-droite', 'Bordeaux Rive droite', '33000', '33063', 'Bordeaux', 'FR', 'camille.moreau',
 'La Bastide, Benauge, Brazza : un comité attaché à la transformation de la rive droite et à ses habitants.'),
(8, 'rennes-metropole', 'Rennes Métropole', '35000', '35238', 'Rennes', 'FR', 'yann.le-gall',
 'Le comité rennais : des ateliers de propositions ouverts à tous, chaque premier mardi du mois.'),
(9, 'strasbourg-europe', 'Strasbourg Europe', '67000', '67482', 'Strasbourg', 'FR', 'claire.weber',
 'Au cœur de l''Europe, nous parlons d''Europe : conférences, rencontres franco-allemandes et permanence au quartier de la Krutenau.'),
(10, 'ajaccio-en-avant', 'Ajaccio en avant', '20000', '2A004', 'Ajaccio', 'FR', 'antoine.santoni',
 'Le comité d''Ajaccio réunit des militants de toute la Corse-du-Sud. Réunions publiques et porte-à-porte dans les villages.'),
(11, 'saint-denis-la-reunion', 'Saint-Denis de La Réunion', '97400', '97411', 'Saint-Denis', 'FR', 'nadia.payet',
 'Le comité de Saint-Denis : l''emploi des jeunes, la vie chère et les transports de l''île au cœur de nos actions.'),
(12, 'berlin-francais-d-allemagne', 'Berlin – Français d''Allemagne', NULL, NULL, 'Berlin', 'DE', 'julien.fournier',
 'Les Français de Berlin et de toute l''Allemagne. Nous nous retrouvons une fois par mois à Kreuzberg.'),
(13, 'grenoble-alpes', 'Grenoble Alpes', '38000', '38185', 'Grenoble', 'FR', 'emma.blanc',
 'Un comité en création pour Grenoble et les communes de la métropole. En attente de validation.');

-- The demo hosts (Marianne exists already when scripts/demo.sh runs
-- this; the bench runs it without her), and twenty followers around.
UPDATE demo_committee SET host = host || '@demo.civitas.localhost'
WHERE host NOT LIKE '%@%';
INSERT INTO users (email, password_hash, first_name, last_name, gender,
	postal_code, country, city_insee, city_name, status, activated_at,
	charter_accepted_at)
SELECT d.host, '!demo: no password',
	initcap(split_part(split_part(d.host, '@', 1), '.', 1)),
	initcap(replace(split_part(split_part(d.host, '@', 1), '.', 2), '-', ' ')),
	'other', d.postal_code, d.country, d.insee, d.city, 'active', now(), now()
FROM demo_committee d
WHERE NOT EXISTS (SELECT 1 FROM users u WHERE u.email = d.host);

INSERT INTO users (email, password_hash, first_name, last_name, gender,
	postal_code, country, city_insee, city_name, status, activated_at,
	charter_accepted_at)
SELECT 'soutien' || i || '@demo.civitas.localhost', '!demo: no password',
	(ARRAY['Alice', 'Bruno', 'Chloé', 'David', 'Élodie', 'Farid', 'Gaëlle',
		'Hugo', 'Inès', 'Jules'])[1 + i % 10],
	(ARRAY['Bernard', 'Petit', 'Durand', 'Leroy', 'Morel', 'Fontaine',
		'Chevalier', 'Garnier'])[1 + i % 8],
	'other', '69001', 'FR', '69381', 'Lyon 1er Arrondissement', 'active',
	now(), now()
FROM generate_series(1, 20) i;

INSERT INTO committees (slug, name, description, street, postal_code, country,
	city_insee, city_name, status, created_by, created_at, approved_at,
	website_url, twitter_handle)
SELECT d.slug, d.name, d.description, NULL, d.postal_code, d.country, d.insee,
	d.city, CASE WHEN d.n = 13 THEN 'pending' ELSE 'approved' END, u.id,
	now() - make_interval(days => 200 - d.n * 10),
	CASE WHEN d.n <> 13 THEN now() - make_interval(days => 190 - d.n * 10) END,
	CASE WHEN d.n = 1 THEN 'https://example.org/lyon' END,
	CASE WHEN d.n = 3 THEN '@paris11demo' END
FROM demo_committee d JOIN users u ON u.email = d.host;

-- Supervisors (the creators of the approved ones).
INSERT INTO committee_memberships (committee_id, user_id, role, joined_at,
	notify_followers)
SELECT c.id, c.created_by, 'supervisor', c.approved_at, true
FROM committees c WHERE c.status = 'approved';

-- Marianne follows Villeurbanne and Paris 11e; Paul (Villeurbanne) co-hosts
-- Lyon Presqu'île; the twenty followers follow the Lyon committees.
INSERT INTO committee_memberships (committee_id, user_id, role, joined_at)
SELECT c.id, u.id, 'follower', now() - interval '30 days'
FROM committees c, users u
WHERE c.slug IN ('villeurbanne-en-marche', 'paris-11-republique')
	AND u.email = 'marianne@civitas.localhost';
INSERT INTO committee_memberships (committee_id, user_id, role, joined_at)
SELECT c.id, u.id, 'host', now() - interval '60 days'
FROM committees c, users u
WHERE c.slug = 'lyon-presqu-ile' AND u.email = 'paul.girard@demo.civitas.localhost';
INSERT INTO committee_memberships (committee_id, user_id, joined_at)
SELECT c.id, u.id, now() - make_interval(days => c.id::int + u.id::int % 40)
FROM committees c, users u
WHERE c.slug IN ('lyon-presqu-ile', 'villeurbanne-en-marche')
	AND u.email LIKE 'soutien%@demo.civitas.localhost';

INSERT INTO committee_messages (committee_id, author_id, author_name, subject,
	body_md, created_at)
SELECT c.id, c.created_by, u.first_name || ' ' || left(u.last_name, 1) || '.',
	m.subject, m.body, now() - make_interval(days => m.days)
FROM committees c JOIN users u ON u.id = c.created_by,
	(VALUES ('Bienvenue aux nouveaux membres !',
		'Merci à tous ceux qui nous ont rejoints ce mois-ci. Rendez-vous à la prochaine réunion pour faire connaissance.', 12),
		('Compte rendu de la réunion publique',
		'Plus de **quatre-vingts personnes** étaient présentes. Les propositions retenues seront publiées ici la semaine prochaine.', 3))
	AS m(subject, body, days)
WHERE c.status = 'approved';

INSERT INTO event_categories (slug, name, position) VALUES
	('reunion-publique', 'Réunion publique', 1),
	('porte-a-porte', 'Porte-à-porte', 2),
	('debat', 'Débat', 3),
	('tractage', 'Tractage', 4),
	('formation', 'Formation', 5),
	('convivialite', 'Moment convivial', 6);

-- Events: committee (n of demo_committee, 0 = national), category, name,
-- days from today (negative: past), local start time, hours, capacity,
-- online URL, state.
CREATE TEMP TABLE demo_event (
	committee integer, category text, name text, days integer,
	at time, hours numeric, capacity integer, online text,
	state text DEFAULT 'scheduled'
) ON COMMIT DROP;
INSERT INTO demo_event VALUES
(1, 'reunion-publique', 'Réunion de rentrée du comité', 6, '19:00', 2, 60, NULL, 'scheduled'),
(1, 'porte-a-porte', 'Porte-à-porte à la Croix-Rousse', 9, '10:00', 3, NULL, NULL, 'scheduled'),
(1, 'debat', 'Débat sur les transports du quotidien', 16, '19:30', 2, 5, NULL, 'scheduled'),
(1, 'convivialite', 'Apéritif des adhérents', -20, '19:00', 3, NULL, NULL, 'scheduled'),
(2, 'tractage', 'Tractage au marché des Gratte-Ciel', 4, '09:00', 3, NULL, NULL, 'scheduled'),
(2, 'reunion-publique', 'Réunion publique sur le logement', 12, '19:00', 2, 80, NULL, 'scheduled'),
(2, 'formation', 'Formation des nouveaux militants', -12, '18:30', 2, 20, NULL, 'scheduled'),
(3, 'debat', 'Le logement étudiant à Paris', 8, '19:30', 2, 120, NULL, 'scheduled'),
(3, 'tractage', 'Tractage place de la République', 3, '11:00', 2, NULL, NULL, 'scheduled'),
(3, 'convivialite', 'Pique-nique au parc de Belleville', 20, '12:30', 3, NULL, NULL, 'cancelled'),
(4, 'porte-a-porte', 'Porte-à-porte à la Goutte d''Or', 5, '10:30', 3, NULL, NULL, 'scheduled'),
(4, 'reunion-publique', 'Réunion publique à Montmartre', -30, '19:00', 2, 100, NULL, 'scheduled'),
(5, 'debat', 'La mer et le littoral : quel avenir ?', 10, '18:30', 2, 150, NULL, 'scheduled'),
(5, 'porte-a-porte', 'Porte-à-porte au Panier', 2, '10:00', 3, NULL, NULL, 'scheduled'),
(6, 'reunion-publique', 'L''emploi dans la métropole lilloise', 14, '19:00', 2, 90, NULL, 'scheduled'),
(6, 'formation', 'Prendre la parole en public', 22, '14:00', 3, 15, NULL, 'scheduled'),
(7, 'reunion-publique', 'La rive droite en projets', 11, '19:00', 2, 70, NULL, 'scheduled'),
(7, 'convivialite', 'Balade urbaine à la Bastide', -5, '15:00', 2, NULL, NULL, 'scheduled'),
(8, 'formation', 'Atelier de propositions : l''éducation', 7, '18:30', 2, 30, NULL, 'scheduled'),
(8, 'tractage', 'Tractage au marché des Lices', 13, '09:30', 3, NULL, NULL, 'scheduled'),
(9, 'debat', 'L''Europe du quotidien', 15, '19:00', 2, 200, NULL, 'scheduled'),
(9, 'convivialite', 'Rencontre franco-allemande', 25, '18:00', 3, NULL, NULL, 'scheduled'),
(10, 'reunion-publique', 'Réunion publique à Ajaccio', 9, '18:30', 2, 80, NULL, 'scheduled'),
(11, 'reunion-publique', 'La vie chère à La Réunion', 5, '14:00', 2, 100, NULL, 'scheduled'),
(11, 'porte-a-porte', 'Porte-à-porte au Chaudron', 18, '09:00', 3, NULL, NULL, 'scheduled'),
(12, 'convivialite', 'Stammtisch des Français de Berlin', 10, '19:30', 3, 40, NULL, 'scheduled'),
(0, 'formation', 'Webinaire : organiser une réunion d''appartement', 3, '20:00', 1, NULL, 'https://visio.example.org/civitas-formation', 'scheduled'),
(0, 'reunion-publique', 'Grand meeting national à Paris', 30, '15:00', 3, 5000, NULL, 'scheduled'),
(0, 'debat', 'Débat national en ligne : l''école', 17, '20:30', 1.5, NULL, 'https://visio.example.org/debat-ecole', 'scheduled'),
(0, 'formation', 'Université d''été : bilan', -45, '10:00', 8, NULL, 'https://visio.example.org/universite', 'scheduled');

INSERT INTO events (slug, committee_id, organizer_id, organizer_name,
	category_id, name, description, begins_at, finishes_at, time_zone,
	online_url, street, postal_code, country, city_insee, city_name,
	capacity, status, cancel_message, created_at)
SELECT to_char(x.local_start, 'YYYY-MM-DD') || '-' ||
		trim(both '-' FROM regexp_replace(civitas_norm(e.name), '[^a-z0-9]+', '-', 'g')),
	c.id, coalesce(c.created_by, a.id), coalesce(c.name, 'Équipe nationale'),
	k.id, e.name,
	'Venez nombreux ! ' || e.name || ' : un moment pour échanger, proposer et agir ensemble. '
		|| 'Ouvert à toutes et à tous, adhérents ou non.',
	x.local_start AT TIME ZONE x.tz,
	(x.local_start + make_interval(mins => (e.hours * 60)::int)) AT TIME ZONE x.tz,
	x.tz, e.online,
	CASE WHEN e.online IS NULL AND e.committee = 0 THEN '8 boulevard de Bercy' END,
	CASE WHEN e.online IS NULL THEN coalesce(c.postal_code, CASE WHEN e.committee = 0 THEN '75012' END) END,
	CASE WHEN e.online IS NULL THEN coalesce(c.country, 'FR') END,
	CASE WHEN e.online IS NULL THEN coalesce(c.city_insee, CASE WHEN e.committee = 0 THEN '75112' END) END,
	CASE WHEN e.online IS NULL THEN coalesce(c.city_name, 'Paris 12e Arrondissement') END,
	e.capacity, e.state,
	CASE WHEN e.state = 'cancelled' THEN 'La météo annoncée nous oblige à annuler : nous vous proposerons une autre date.' END,
	now() - interval '40 days'
FROM demo_event e
LEFT JOIN demo_committee d ON d.n = e.committee
LEFT JOIN committees c ON c.slug = d.slug
JOIN event_categories k ON k.slug = e.category
LEFT JOIN users a ON a.email = 'admin@civitas.localhost',
LATERAL (SELECT CASE WHEN d.country = 'DE' THEN 'Europe/Berlin'
		ELSE france_time_zone(coalesce(d.postal_code, '75012')) END AS tz) z,
LATERAL (SELECT z.tz,
		date_trunc('day', now() AT TIME ZONE z.tz) + make_interval(days => e.days) + e.at
		AS local_start) x;

-- Registrations through event_register(), as the site makes them: the
-- debate of Lyon Presqu'île (capacity 5) gets 8 people, 5 registered and
-- 3 on the waiting list; other upcoming events a few each.
SELECT event_register(ev.id, u.id, u.email, u.first_name, u.last_name,
	u.postal_code, false, NULL)
FROM events ev, users u
WHERE ev.name = 'Débat sur les transports du quotidien'
	AND u.email IN (SELECT 'soutien' || i || '@demo.civitas.localhost'
		FROM generate_series(1, 8) i)
ORDER BY u.id;
SELECT event_register(ev.id, u.id, u.email, u.first_name, u.last_name,
	u.postal_code, false, NULL)
FROM events ev, users u
WHERE ev.status = 'scheduled' AND ev.finishes_at > now()
	AND ev.name <> 'Débat sur les transports du quotidien'
	AND u.email LIKE 'soutien%@demo.civitas.localhost'
	AND (u.id + ev.id) % 4 = 0
ORDER BY ev.id, u.id;
-- Marianne goes to the Villeurbanne public meeting.
SELECT event_register(ev.id, u.id, u.email, u.first_name, u.last_name,
	u.postal_code, true, NULL)
FROM events ev, users u
WHERE ev.name = 'Réunion publique sur le logement'
	AND u.email = 'marianne@civitas.localhost';
-- Past events kept their registrations (with the check-in).
INSERT INTO event_registrations (event_id, user_id, email, first_name,
	last_name, postal_code, status, registered_at, attended, created_at)
SELECT ev.id, u.id, u.email, u.first_name, u.last_name, u.postal_code,
	'registered', ev.begins_at - interval '3 days', u.id % 3 <> 0,
	ev.begins_at - interval '3 days'
FROM events ev, users u
WHERE ev.finishes_at <= now() AND u.email LIKE 'soutien%@demo.civitas.localhost'
	AND (u.id + ev.id) % 3 = 0;
