-- Demo content for `make run` (scripts/demo-content.sh), never for
-- production. Run in ONE transaction (psql -1) with the media ids of the
-- eight imported photos as psql variables m1..m8:
--   psql -1 -v ON_ERROR_STOP=1 -v m1=12 ... -v m8=19 -f sql/demo/content.sql
-- body_html is left empty: `civitas-fcgi rerender` renders every body_md
-- afterwards with the same safe Markdown renderer as the back-office.
-- Dates are relative to now(): the site always looks recent.

INSERT INTO categories (slug, name, description, position) VALUES
	('campagne', 'Campagne', 'La vie de la campagne : déplacements, réunions publiques, porte-à-porte.', 1),
	('propositions', 'Propositions', 'Notre programme, thème par thème.', 2),
	('territoires', 'Territoires', 'Les comités locaux et leurs actions partout en France.', 3),
	('engagement', 'Engagement', 'Adhérer, militer, donner de son temps : comment agir.', 4),
	('decryptages', 'Décryptages', 'Comprendre les institutions, les chiffres et les débats.', 5);

CREATE TEMP TABLE demo_article (
	n integer,		-- order, also picks the photo
	slug text, title text, category text, summary text, body text,
	days_ago numeric, featured boolean DEFAULT false,
	state text DEFAULT 'published'	-- published, scheduled, draft
) ON COMMIT DROP;

INSERT INTO demo_article (n, slug, title, category, summary, days_ago, featured, body) VALUES
(1, 'lancement-de-la-campagne-a-lyon', 'Lancement de la campagne à Lyon', 'campagne',
 'Plus de deux mille personnes réunies place Bellecour pour le coup d''envoi de notre campagne.', 0.2, true,
$md$Samedi après-midi, plus de **deux mille personnes** se sont retrouvées place Bellecour pour le lancement officiel de notre campagne.

## Une campagne de terrain

Pendant trois mois, nos comités iront à la rencontre des habitants, quartier par quartier. L'objectif est simple : écouter avant de proposer.

- 120 réunions d'appartement déjà programmées ;
- 40 marchés couverts chaque week-end ;
- un questionnaire en ligne ouvert à tous.

## Et maintenant ?

Rejoignez le comité le plus proche de chez vous, ou [créez le vôtre](/signup). Chaque adhérent peut proposer une action.

> « Nous ne ferons pas campagne pour les gens, mais avec eux. »
$md$),
(2, 'notre-plan-pour-les-transports-du-quotidien', 'Notre plan pour les transports du quotidien', 'propositions',
 'Trains du quotidien, pistes cyclables, bus de nuit : nos propositions pour se déplacer sans voiture quand on le peut.', 1.5, true,
$md$Se déplacer est la première préoccupation des habitants que nous rencontrons. Voici nos propositions.

## Les trains du quotidien d'abord

1. Rouvrir les petites lignes fermées depuis moins de vingt ans.
2. Un train toutes les demi-heures aux heures de pointe autour des grandes villes.
3. Un billet unique pour le train, le car et le bus dans chaque région.

## Le vélo partout

Nous financerons **10 000 km de pistes cyclables sécurisées**, en priorité autour des collèges et des lycées.

## Et la voiture ?

Dans les territoires ruraux, la voiture reste indispensable. Nous soutiendrons le covoiturage domicile-travail et l'achat de véhicules sobres d'occasion.

Pour aller plus loin, lisez notre [décryptage sur le coût des transports](/articles/combien-coute-vraiment-un-trajet-domicile-travail).
$md$),
(3, 'porte-a-porte-a-villeurbanne', 'Porte-à-porte à Villeurbanne : ce que nous avons entendu', 'campagne',
 'Logement, sécurité, écoles : le compte rendu de trois week-ends de porte-à-porte.', 2.3, false,
$md$Trois week-ends, 1 800 portes frappées, 640 conversations. Voici ce qui revient le plus souvent.

- **Le logement** : les loyers ont augmenté plus vite que les salaires.
- **L'école** : des classes surchargées et des remplacements non assurés.
- **La tranquillité** : l'éclairage public et la présence humaine dans les halls.

Merci aux 45 militants qui ont participé. Prochaine session : samedi, rendez-vous à 10 h devant la mairie.
$md$),
(4, 'comite-de-marseille-nord', 'À Marseille, le comité des quartiers Nord ouvre un local', 'territoires',
 'Un local ouvert trois soirs par semaine pour accueillir, informer et organiser.', 3.1, false,
$md$Le comité des quartiers Nord de Marseille dispose désormais d'un local, rue de Lyon.

## Horaires

- lundi, mercredi et vendredi de 18 h à 21 h ;
- le samedi matin pendant la campagne.

On y prépare les distributions, on y tient des permanences d'aide aux démarches administratives et on y organise des débats ouverts à tous.
$md$),
(5, 'comment-fonctionne-une-procuration', 'Comment fonctionne une procuration ?', 'decryptages',
 'Absent le jour du vote ? Voici comment donner procuration, pas à pas.', 3.8, false,
$md$Vous ne pourrez pas voter en personne ? Vous pouvez confier votre vote à un électeur de confiance.

## Les étapes

1. Faites la demande en ligne ou au commissariat, à la gendarmerie ou au consulat.
2. Présentez-vous avec une pièce d'identité pour la valider.
3. Prévenez la personne qui votera pour vous.

## Bon à savoir

- La personne choisie n'a pas besoin d'être inscrite dans la même commune.
- Une personne ne peut détenir qu'une seule procuration établie en France.
- N'attendez pas le dernier moment : les délais de traitement s'allongent avant le scrutin.
$md$),
(6, 'devenir-assesseur', 'Devenir assesseur le jour du scrutin', 'engagement',
 'Tenir un bureau de vote est un acte civique simple et utile. Nous vous formons.', 4.5, false,
$md$Chaque bureau de vote a besoin d'assesseurs. C'est une journée utile, conviviale et essentielle à la sincérité du scrutin.

## Qui peut être assesseur ?

Tout électeur inscrit dans le département. Aucune expérience n'est requise : une **formation d'une heure** est proposée par chaque comité.

## Comment s'inscrire ?

Écrivez à votre comité local ou signalez-vous depuis votre [espace adhérent](/account).
$md$),
(7, 'ecole-nos-engagements', 'École : nos engagements pour la rentrée', 'propositions',
 'Des remplaçants en nombre, des classes moins chargées et des bâtiments rénovés.', 5.2, false,
$md$L'école est la promesse républicaine. Elle doit être tenue partout.

## Trois engagements

- **Aucune classe sans enseignant** : un vivier de remplaçants dans chaque académie.
- **24 élèves au plus** en grande section, CP et CE1.
- **Un plan de rénovation** des écoles les plus anciennes, en commençant par l'isolation.

## Le financement

Ces mesures représentent un effort progressif sur cinq ans, détaillé dans notre document de programme.
$md$),
(8, 'reunion-publique-a-nantes', 'Réunion publique à Nantes : la salle était pleine', 'campagne',
 'Quatre cents personnes et deux heures de questions sans filtre.', 6.0, false,
$md$Mardi soir, à Nantes, la salle de la Manufacture affichait complet. Pas de discours fleuve : **deux heures de questions** posées directement par le public.

Les sujets les plus abordés : la santé, la ruralité, le prix de l'énergie.

La vidéo intégrale sera mise en ligne cette semaine.
$md$),
(9, 'les-comites-de-bretagne-se-rassemblent', 'Les comités de Bretagne se rassemblent à Rennes', 'territoires',
 'Une journée de formation et d''échanges pour les animateurs locaux.', 7.4, false,
$md$Une soixantaine d'animateurs de comités bretons se sont retrouvés à Rennes pour une journée de formation.

Au programme : organiser une réunion d'appartement, tenir un stand sur un marché, accueillir les nouveaux adhérents.
$md$),
(10, 'combien-coute-vraiment-un-trajet-domicile-travail', 'Combien coûte vraiment un trajet domicile-travail ?', 'decryptages',
 'Carburant, entretien, assurance : le vrai coût de la voiture, comparé aux autres modes.', 8.1, false,
$md$On sous-estime presque toujours le coût d'une voiture. Faisons le calcul pour un trajet de 20 km.

## La voiture

| poste | coût mensuel |
|---|---|
| carburant | 110 € |
| assurance | 50 € |
| entretien | 45 € |
| dépréciation | 120 € |

Soit plus de **300 € par mois**, loin des seuls frais de carburant.

## Le train et le vélo

Un abonnement régional coûte entre 50 et 80 € par mois, dont la moitié est prise en charge par l'employeur. Un vélo à assistance électrique revient à moins de 40 € par mois sur cinq ans.

Ces chiffres sont des ordres de grandeur : chaque situation est différente.
$md$),
(11, 'adherer-en-cinq-minutes', 'Adhérer en cinq minutes', 'engagement',
 'L''adhésion est gratuite et se fait en ligne. Voici ce qui se passe ensuite.', 9.0, false,
$md$L'adhésion est **gratuite** et se fait en ligne en cinq minutes : [je m'inscris](/signup).

Ensuite :

1. vous confirmez votre adresse e-mail ;
2. vous êtes rattaché au comité de votre commune ;
3. son animateur vous contacte pour la prochaine action.
$md$),
(12, 'sante-les-deserts-medicaux', 'Santé : en finir avec les déserts médicaux', 'propositions',
 'Maisons de santé, internes dans les territoires, télémédecine encadrée : notre plan.', 10.3, true,
$md$Six millions de Français n'ont pas de médecin traitant. C'est une urgence.

## Nos propositions

- **Une maison de santé par bassin de vie** d'ici cinq ans, financée à parts égales par l'État et la région.
- **Une quatrième année d'internat** de médecine générale effectuée dans les territoires sous-dotés, avec un vrai accompagnement.
- **La télémédecine encadrée**, en complément et jamais en remplacement d'une consultation.

## Ce que nous ne ferons pas

Nous n'obligerons pas les médecins installés à déménager : la contrainte décourage les vocations.
$md$),
(13, 'marche-de-la-croix-rousse', 'Sur le marché de la Croix-Rousse', 'campagne',
 'Un dimanche matin de tractage et de discussions entre deux étals.', 11.0, false,
$md$Dimanche matin, une quinzaine de militants ont tenu un stand au marché de la Croix-Rousse. Les questions portaient surtout sur les loyers et les transports en commun.
$md$),
(14, 'toulouse-un-comite-etudiant', 'Toulouse : naissance d''un comité étudiant', 'territoires',
 'Des étudiants du campus de Rangueil lancent leur propre comité.', 12.2, false,
$md$Une trentaine d'étudiants du campus de Rangueil ont fondé un comité. Leurs priorités : le logement étudiant, la précarité alimentaire et les transports nocturnes.

Première action : une collecte solidaire la semaine prochaine.
$md$),
(15, 'le-budget-d-une-commune-explique', 'Le budget d''une commune, expliqué simplement', 'decryptages',
 'Fonctionnement, investissement, dotations : comment se finance votre mairie.', 13.5, false,
$md$Le budget d'une commune se divise en deux parties.

## La section de fonctionnement

Elle paie le quotidien : salaires des agents, entretien, cantines, subventions aux associations. Ses recettes viennent des impôts locaux et des dotations de l'État.

## La section d'investissement

Elle finance les projets durables : une école, une piscine, une voirie. Elle peut recourir à l'emprunt, ce que le fonctionnement ne peut pas faire.

## La règle d'or

Une commune doit voter un budget **à l'équilibre** : elle ne peut pas emprunter pour payer ses dépenses courantes.
$md$),
(16, 'journee-nationale-de-mobilisation', 'Journée nationale de mobilisation samedi', 'engagement',
 'Partout en France, nos comités vont à la rencontre des habitants le même jour.', 14.0, false,
$md$Samedi, tous les comités se mobilisent en même temps. Trouvez l'action la plus proche de chez vous auprès de votre comité.

- distribution sur les marchés le matin ;
- porte-à-porte l'après-midi ;
- réunion publique le soir dans une vingtaine de villes.
$md$),
(17, 'logement-construire-et-renover', 'Logement : construire plus et rénover mieux', 'propositions',
 'Notre plan pour le logement abordable et la rénovation énergétique.', 15.4, false,
$md$Le logement est le premier poste de dépense des ménages.

## Construire

Nous proposons de mobiliser les terrains publics inutilisés pour construire **150 000 logements abordables par an**.

## Rénover

Un guichet unique dans chaque département pour accompagner les propriétaires, de l'audit énergétique au chantier, avec une avance des aides.

## Protéger

L'encadrement des loyers sera possible partout où les communes le demandent.
$md$),
(18, 'debat-citoyen-a-lille', 'Débat citoyen à Lille sur l''avenir de l''industrie', 'campagne',
 'Syndicalistes, chefs d''entreprise et habitants ont débattu pendant trois heures.', 16.2, false,
$md$À Lille, le débat sur la réindustrialisation a réuni syndicalistes, chefs d'entreprise et habitants. Un constat partagé : la formation est la clé.

Le compte rendu complet sera publié sur ce site.
$md$),
(19, 'strasbourg-les-benevoles-du-samedi', 'Strasbourg : les bénévoles du samedi', 'territoires',
 'Portrait d''un comité qui mêle action politique et entraide de quartier.', 17.5, false,
$md$À Strasbourg, le comité de Neudorf organise chaque samedi une permanence d'aide aux démarches en ligne. « Beaucoup de gens renoncent à leurs droits faute d'aide », explique Nadia, son animatrice.
$md$),
(20, 'comprendre-le-scrutin-proportionnel', 'Comprendre le scrutin proportionnel', 'decryptages',
 'Majoritaire, proportionnel, mixte : les modes de scrutin expliqués.', 19.0, false,
$md$Le mode de scrutin transforme des voix en sièges. Chacun a ses avantages.

## Le scrutin majoritaire

Le candidat arrivé en tête l'emporte. Il favorise des majorités stables, au prix d'une représentation imparfaite.

## Le scrutin proportionnel

Les sièges sont répartis selon les voix obtenues. Il représente fidèlement les opinions, mais impose souvent des coalitions.

## Le scrutin mixte

Une partie des élus au majoritaire, une autre à la proportionnelle : c'est le système allemand.
$md$),
(21, 'organiser-une-reunion-d-appartement', 'Organiser une réunion d''appartement', 'engagement',
 'Le guide pratique pour réunir voisins et amis autour d''un sujet.', 20.3, false,
$md$Une réunion d'appartement, c'est une dizaine de personnes, un salon et une heure de discussion.

1. Invitez voisins, amis et collègues, pas seulement des convaincus.
2. Choisissez un thème : l'école, la santé, les transports.
3. Demandez à votre comité un kit de présentation.
4. Écoutez plus que vous ne parlez, et notez les questions.

Envoyez-nous ensuite les questions restées sans réponse : elles nourrissent le programme.
$md$),
(22, 'energie-baisser-les-factures', 'Énergie : baisser les factures durablement', 'propositions',
 'Isolation, production locale, tarifs protecteurs : nos mesures pour l''énergie.', 21.6, false,
$md$La facture d'énergie pèse lourd sur les ménages modestes.

- **Isoler** en priorité les passoires thermiques, avec un reste à charge nul pour les plus modestes.
- **Produire localement** : soutenir les coopératives citoyennes d'énergie renouvelable.
- **Protéger** : un tarif réglementé maintenu pour les particuliers.
$md$),
(23, 'bordeaux-rencontre-avec-les-commercants', 'Bordeaux : rencontre avec les commerçants du centre', 'campagne',
 'Loyers commerciaux, stationnement, concurrence en ligne : ils nous ont parlé franchement.', 23.0, false,
$md$Les commerçants du centre de Bordeaux nous ont reçus. Leurs demandes : des loyers commerciaux maîtrisés et des livraisons facilitées en centre-ville.
$md$),
(24, 'grenoble-un-jardin-partage', 'Grenoble : un jardin partagé créé par le comité', 'territoires',
 'Quand l''engagement politique passe aussi par la bêche et le râteau.', 24.4, false,
$md$Le comité de l'Abbaye a obtenu de la mairie une parcelle en friche. Deux mois plus tard, c'est un jardin partagé où se retrouvent une quarantaine de familles.
$md$),
(25, 'ou-va-l-argent-de-nos-impots', 'Où va l''argent de nos impôts ?', 'decryptages',
 'Sur 1 000 € de dépense publique, combien pour l''école, la santé, les retraites ?', 26.0, false,
$md$Sur **1 000 €** de dépense publique, environ :

- 570 € pour la protection sociale (retraites, santé, famille, chômage) ;
- 100 € pour l'enseignement ;
- 60 € pour les services généraux ;
- 40 € pour la défense ;
- le reste pour les transports, la culture, la sécurité et la dette.

Ces proportions sont arrondies : elles donnent un ordre de grandeur.
$md$),
(26, 'formation-des-nouveaux-animateurs', 'Formation des nouveaux animateurs de comité', 'engagement',
 'Un week-end pour apprendre à animer, accueillir et organiser.', 28.2, false,
$md$Vous animez un comité depuis peu ? Une formation est proposée le mois prochain : animation de réunion, accueil des nouveaux, outils numériques. Inscriptions auprès de votre référent départemental.
$md$),
(27, 'agriculture-vivre-de-son-travail', 'Agriculture : vivre de son travail', 'propositions',
 'Des prix justes, des installations facilitées, une alimentation de qualité.', 30.5, false,
$md$Un agriculteur sur cinq vit sous le seuil de pauvreté.

## Nos mesures

- Des prix d'achat qui couvrent les coûts de production.
- Une aide à l'installation des jeunes agriculteurs, foncier compris.
- **50 % de produits locaux** dans la restauration collective.
$md$),
(28, 'dijon-la-caravane-de-la-campagne', 'Dijon : la caravane de la campagne fait étape', 'campagne',
 'Notre caravane a traversé la Bourgogne : douze villages en une semaine.', 33.0, false,
$md$Douze villages, douze réunions sous le barnum, et partout la même question : qui viendra encore jusqu'ici quand les services publics partent ?
$md$),
(29, 'programme-numerique-et-libertes', 'Numérique et libertés : nos propositions', 'propositions',
 'Protéger les données personnelles, garder un accueil humain dans les services publics.', -1.0, false,
$md$Le numérique doit simplifier la vie, pas exclure.

- Un **accueil humain** garanti dans chaque service public.
- Le **logiciel libre** par défaut dans l'administration.
- La **protection des données** personnelles, sans exception.
$md$),
(30, 'brouillon-meeting-de-cloture', 'Meeting de clôture : le programme de la soirée', 'campagne',
 'Tout ce qu''il faut savoir sur le grand meeting de fin de campagne.', NULL, false,
$md$Brouillon en cours de rédaction : le lieu et les intervenants restent à confirmer.
$md$);

UPDATE demo_article SET state = 'scheduled' WHERE days_ago < 0;
UPDATE demo_article SET state = 'draft' WHERE days_ago IS NULL;

INSERT INTO articles (slug, title, summary, body_md, category_id, media_id,
	author_id, author_name, status, featured, published_at,
	first_published_at, created_at, updated_at)
SELECT d.slug, d.title, d.summary, d.body, c.id,
	(ARRAY[:m1, :m2, :m3, :m4, :m5, :m6, :m7, :m8]::bigint[])[1 + (d.n - 1) % 8],
	(SELECT id FROM users WHERE role = 'admin' ORDER BY id LIMIT 1),
	'Équipe de campagne',
	CASE d.state WHEN 'draft' THEN 'draft' ELSE 'published' END,
	d.featured,
	now() - make_interval(secs => d.days_ago * 86400),
	CASE d.state WHEN 'published' THEN
		now() - make_interval(secs => d.days_ago * 86400) END,
	now() - make_interval(secs => greatest(coalesce(d.days_ago, 0), 0) * 86400 + 3600),
	now() - make_interval(secs => greatest(coalesce(d.days_ago, 0), 0) * 86400)
FROM demo_article d JOIN categories c ON c.slug = d.category
ORDER BY d.n;

INSERT INTO pages (slug, title, body_md, status, published_at) VALUES
('mentions-legales', 'Mentions légales',
$md$## Éditeur

Ce site est édité par l'association de démonstration civitas, dont le siège est à Lyon.

## Hébergement

Le site est hébergé en France, sur des serveurs exploités par l'association.

## Propriété intellectuelle

Les textes de ce site peuvent être repris librement en citant la source. Les photographies de démonstration sont générées par ordinateur.

## Contact

Pour toute question, écrivez à l'adresse indiquée dans votre [espace adhérent](/account).
$md$, 'published', now() - interval '40 days'),
('qui-sommes-nous', 'Qui sommes-nous ?',
$md$Nous sommes un mouvement citoyen né de la conviction que **la politique se fait avec les citoyens**, pas seulement pour eux.

## Nos valeurs

- **L'écoute** : chaque proposition part du terrain.
- **La transparence** : nos comptes et nos décisions sont publics.
- **L'ouverture** : l'adhésion est gratuite et ouverte à tous.

## Notre organisation

Des comités locaux, libres de leurs actions, et une équipe nationale qui les soutient. [Rejoignez-nous](/signup).
$md$, 'published', now() - interval '40 days'),
('donnees-personnelles', 'Données personnelles',
$md$Nous ne collectons que les données nécessaires à votre adhésion et à l'organisation des comités.

## Vos droits

Vous pouvez à tout moment consulter, corriger ou supprimer vos données depuis votre [espace adhérent](/account). La suppression du compte efface vos données personnelles.

## Cookies

Le site public n'utilise **aucun cookie**. Seules les pages de connexion et l'espace adhérent déposent un cookie de session, strictement nécessaire.

## Conservation

Les données d'un compte supprimé ne sont pas conservées, sauf obligation légale.
$md$, 'published', now() - interval '40 days');

INSERT INTO home_blocks (title, body, link, media_id, position) VALUES
('Adhérez au mouvement', 'L''adhésion est gratuite et prend cinq minutes. Rejoignez le comité de votre commune.', '/signup', :m3, 1),
('Nos propositions', 'Transports, école, santé, logement : découvrez notre programme, thème par thème.', '/articles/category/propositions', :m5, 2),
('Qui sommes-nous ?', 'Un mouvement citoyen, des comités partout en France, une équipe qui les soutient.', '/pages/qui-sommes-nous', :m7, 3);

INSERT INTO redirections (from_path, to_path, code) VALUES
('/actualites', '/articles', 301);
