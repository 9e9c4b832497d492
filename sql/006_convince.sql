-- 006: "Convaincre un ami" (issue 10). The choices of each step and their
-- paragraphs (edited in /admin/convince), and what a sent message leaves:
-- its run (the workflow's id: exactly one message per run) and the
-- arguments chosen, for statistics. Neither the friend's nor the author's
-- name or address is kept here: the friend's address only as the keyed
-- hash of invitation_addresses (the 24-hour rule, 003), purged after 30
-- days by the mail worker. README, "Convaincre un ami".

-- kind: the step a choice belongs to (situation, concern, interest,
-- reason), or a fixed part of every message: its subject, the
-- introduction, the line for the friend's gender, the conclusion. The
-- message is composed in this order: intro, gender_*, reasons,
-- situation, interests, concern, conclusion ({prenom}: the friend's
-- first name).
CREATE TABLE convince_choices (
	id bigserial PRIMARY KEY,
	kind text NOT NULL CHECK (kind IN ('subject', 'intro', 'gender_female',
		'gender_male', 'gender_other', 'conclusion', 'situation',
		'concern', 'interest', 'reason')),
	label text NOT NULL CHECK (length(label) BETWEEN 1 AND 200),
	paragraph text NOT NULL CHECK (length(paragraph) BETWEEN 1 AND 4000),
	position integer NOT NULL DEFAULT 0,
	active boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX convince_choices_kind ON convince_choices (kind, position, id);

-- One row per message sent: the run id of the workflow is the key, so a
-- replayed or doubled final POST inserts nothing (ON CONFLICT DO NOTHING)
-- and sends nothing.
CREATE TABLE convince_sends (
	run_id uuid PRIMARY KEY,
	copy_to_author boolean NOT NULL,
	sent_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX convince_sends_at ON convince_sends (sent_at);
CREATE TABLE convince_send_choices (
	run_id uuid NOT NULL REFERENCES convince_sends ON DELETE CASCADE,
	choice_id bigint NOT NULL REFERENCES convince_choices ON DELETE CASCADE,
	PRIMARY KEY (run_id, choice_id)
);
CREATE INDEX convince_send_choices_choice ON convince_send_choices (choice_id);

-- The 30-day purge of invitation_addresses scans by age.
CREATE INDEX invitation_addresses_at ON invitation_addresses (last_invited_at);

-- Mail written by a person through the platform: the From header shows
-- their name ("Name (via civitas)") with our own address (DMARC: only our
-- domain may sign our mail), and Reply-To their address.
ALTER TABLE outbox ADD COLUMN from_name text
	CHECK (from_name IS NULL OR (length(from_name) BETWEEN 1 AND 120
		AND from_name !~ '[[:cntrl:]]'));

-- A default set, so the feature works on a fresh install.
INSERT INTO convince_choices (kind, label, paragraph, position) VALUES
('subject', 'Objet du message', '{prenom}, j''aimerais te parler de notre mouvement', 1),
('intro', 'Introduction', 'Bonjour {prenom},

Je t''écris parce que je me suis engagé(e) dans un mouvement citoyen qui compte beaucoup pour moi, et j''ai pensé à toi.', 1),
('gender_female', 'Ligne pour une amie', 'Tu es de celles qui ont des convictions et qui aiment en débattre : c''est pour cela que je voulais t''en parler.', 1),
('gender_male', 'Ligne pour un ami', 'Tu es de ceux qui ont des convictions et qui aiment en débattre : c''est pour cela que je voulais t''en parler.', 1),
('gender_other', 'Ligne neutre', 'Je sais que tu as des convictions et que tu aimes en débattre : c''est pour cela que je voulais t''en parler.', 1),
('conclusion', 'Conclusion', 'Si tu veux en savoir plus, viens à l''un de nos événements ou réponds-moi simplement : j''aurai plaisir à en discuter avec toi.

À bientôt !', 1),
('situation', 'Étudiant(e)', 'Tu es étudiant(e) : le mouvement défend une formation qui ouvre vraiment des portes, et des stages mieux encadrés.', 1),
('situation', 'Salarié(e)', 'Tu es salarié(e) : le mouvement veut que le travail paie mieux, avec moins de charges sur les salaires.', 2),
('situation', 'Indépendant(e) ou chef d''entreprise', 'Tu travailles à ton compte : le mouvement veut simplifier la vie de ceux qui créent et qui entreprennent.', 3),
('situation', 'En recherche d''emploi', 'Tu cherches un emploi : le mouvement veut une formation continue qui débouche sur de vrais métiers.', 4),
('situation', 'Retraité(e)', 'Tu es à la retraite : le mouvement veut garantir des pensions justes et préserver le pouvoir d''achat.', 5),
('concern', 'Le pouvoir d''achat', 'Je sais que le pouvoir d''achat te préoccupe : nos propositions visent à ce que chacun vive mieux de son travail.', 1),
('concern', 'L''emploi', 'Je sais que l''emploi te préoccupe : nous voulons libérer l''activité et former à ce qui recrute.', 2),
('concern', 'L''environnement', 'Je sais que l''environnement te préoccupe : nous voulons accélérer la transition écologique sans laisser personne de côté.', 3),
('concern', 'La sécurité', 'Je sais que la sécurité te préoccupe : nous voulons une police de proximité et une justice plus rapide.', 4),
('concern', 'La santé', 'Je sais que la santé te préoccupe : nous voulons lutter contre les déserts médicaux et mieux rembourser la prévention.', 5),
('interest', 'L''éducation', 'Toi qui t''intéresses à l''éducation : nous voulons des classes moins chargées là où c''est le plus utile.', 1),
('interest', 'La culture', 'Toi qui aimes la culture : nous voulons qu''elle soit accessible à tous, partout sur le territoire.', 2),
('interest', 'L''Europe', 'Toi qui t''intéresses à l''Europe : nous croyons à une Europe qui protège et qui avance.', 3),
('interest', 'Le numérique', 'Toi qui t''intéresses au numérique : nous voulons faire de la France un pays d''innovation.', 4),
('interest', 'Le sport', 'Toi qui aimes le sport : nous voulons qu''il ait toute sa place à l''école et dans les quartiers.', 5),
('interest', 'L''agriculture', 'Toi qui t''intéresses à l''agriculture : nous voulons que les agriculteurs vivent dignement de leur travail.', 6),
('reason', 'Le renouvellement', 'Moi, je m''engage parce que ce mouvement renouvelle la vie politique : beaucoup de ses membres n''avaient jamais milité.', 1),
('reason', 'Le dépassement des clivages', 'Moi, je m''engage parce qu''il dépasse les vieux clivages et cherche les bonnes idées d''où qu''elles viennent.', 2),
('reason', 'L''action locale', 'Moi, je m''engage parce qu''on y agit concrètement, près de chez soi, avec les comités locaux.', 3),
('reason', 'Le projet', 'Moi, je m''engage parce que son projet a été construit avec les citoyens, à partir de leurs attentes.', 4),
('reason', 'L''Europe', 'Moi, je m''engage parce qu''il assume un engagement européen clair.', 5);
