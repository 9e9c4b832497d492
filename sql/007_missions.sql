-- 007: volunteer missions (issue 11): organisations, their managers,
-- missions, time slots, applications and their threads.
--
-- Rules of record live here, where concurrency cannot break them:
--   * one draft organisation per member (the wizard's, found again after a
--     logout), an identifier for every submitted one;
--   * a mission never has more applications taking a place than it has
--     places, nor a time slot more than its capacity: the counters
--     places_taken and taken are kept by a trigger on applications, each
--     change is one conditional UPDATE of the counter (the row lock
--     serialises simultaneous takers), and CHECK constraints make an
--     overbooking impossible whatever the code above does;
--   * one active application per member and mission (a partial unique
--     index, not a check in C);
--   * a freed place goes to the first of the waiting list
--     (application_promote), in the transaction that frees it.
-- Who may make which change of state is a table in C (core/volstate.c);
-- the statements here only apply a change from the state the request read
-- (compare-and-set on status).

-- 1. Domains: the themes of organisations and missions. ----------------

CREATE TABLE domains (
	id smallint PRIMARY KEY,
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name text NOT NULL UNIQUE,
	position smallint NOT NULL
);
INSERT INTO domains (id, slug, name, position) VALUES
	(1, 'solidarite-insertion', 'Solidarité et insertion', 1),
	(2, 'sante', 'Santé pour tous', 2),
	(3, 'education', 'Éducation pour tous', 3),
	(4, 'environnement', 'Protection de la nature', 4),
	(5, 'culture', 'Art et culture pour tous', 5),
	(6, 'sport', 'Sport pour tous', 6),
	(7, 'citoyennete', 'Mémoire et citoyenneté', 7),
	(8, 'international', 'Coopération internationale', 8),
	(9, 'prevention', 'Prévention et protection', 9),
	(10, 'vivre-ensemble', 'Vivre ensemble', 10),
	(11, 'competences', 'Bénévolat de compétences', 11),
	(12, 'animaux', 'Protection animale', 12);

-- 2. Organisations. ----------------------------------------------------

-- A draft is written step by step by the wizard (wizard_step: the place
-- of the workflow table wf_organisation the creator has reached), so it
-- is found again after a logout; submitting it makes it pending.
CREATE TABLE organisations (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	-- Given at submission (from the name; -2, -3 on a collision).
	slug text UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 120),
	legal_kind text NOT NULL CHECK (legal_kind IN
		('association', 'collectivity', 'public', 'private')),
	siret text CHECK (siret ~ '^[0-9]{14}$'),
	rna text CHECK (rna ~ '^W[0-9]{9}$'),
	street text,
	postal_code text,
	country char(2) REFERENCES countries (code),
	city_insee text,
	city_name text,
	longitude double precision,
	latitude double precision,
	departement text GENERATED ALWAYS AS
		(departement_of_insee(city_insee)) STORED,
	description text NOT NULL DEFAULT '',
	description_html text NOT NULL DEFAULT '',	-- rendered at save
	website_url text CHECK (website_url ~ '^https?://'),
	media_id bigint REFERENCES media (id) ON DELETE SET NULL,	-- logo
	charter_accepted_at timestamptz,
	wizard_step text NOT NULL DEFAULT 'organisation',
	status text NOT NULL DEFAULT 'draft' CHECK (status IN
		('draft', 'pending', 'validated', 'refused', 'reported')),
	status_reason text,		-- the referent's words when refused or reported
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	submitted_at timestamptz,
	validated_at timestamptz,
	CHECK (rna IS NULL OR legal_kind = 'association'),
	-- Submitted: complete.
	CHECK (status = 'draft' OR (slug IS NOT NULL
		AND (siret IS NOT NULL OR rna IS NOT NULL)
		AND postal_code IS NOT NULL AND city_name IS NOT NULL
		AND charter_accepted_at IS NOT NULL AND submitted_at IS NOT NULL)),
	CHECK (status <> 'validated' OR validated_at IS NOT NULL)
);
-- The wizard has one draft per member.
CREATE UNIQUE INDEX organisations_one_draft ON organisations (created_by)
	WHERE status = 'draft';
CREATE INDEX organisations_status ON organisations (status, departement, id);
CREATE INDEX organisations_validated ON organisations (name, id)
	WHERE status = 'validated';
CREATE TRIGGER organisations_point
	BEFORE INSERT OR UPDATE OF city_insee ON organisations
	FOR EACH ROW EXECUTE FUNCTION place_point();

CREATE TABLE organisation_domains (
	organisation_id bigint NOT NULL REFERENCES organisations (id)
		ON DELETE CASCADE,
	domain_id smallint NOT NULL REFERENCES domains (id),
	PRIMARY KEY (organisation_id, domain_id)
);

-- Who manages an organisation: its creator (added by the wizard's first
-- step) and the members who accepted an invitation.
CREATE TABLE organisation_managers (
	organisation_id bigint NOT NULL REFERENCES organisations (id)
		ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	added_at timestamptz NOT NULL DEFAULT now(),
	invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
	PRIMARY KEY (organisation_id, user_id)
);
CREATE INDEX organisation_managers_user ON organisation_managers (user_id);

-- An invitation to manage: a single-use link valid 7 days; only an HMAC
-- of its token is stored. The address is kept to show the inviting
-- managers, masked, what is pending, and is dropped once accepted.
CREATE TABLE organisation_invitations (
	id bigserial PRIMARY KEY,
	organisation_id bigint NOT NULL REFERENCES organisations (id)
		ON DELETE CASCADE,
	email text CHECK (email = lower(email)),
	token_hash text NOT NULL UNIQUE,
	invited_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	expires_at timestamptz NOT NULL DEFAULT now() + interval '7 days',
	accepted_at timestamptz,
	accepted_by bigint REFERENCES users (id) ON DELETE SET NULL
);
CREATE INDEX organisation_invitations_org ON organisation_invitations
	(organisation_id, created_at DESC);

-- 3. Missions. ---------------------------------------------------------

CREATE TABLE missions (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	organisation_id bigint NOT NULL REFERENCES organisations (id)
		ON DELETE CASCADE,
	title text NOT NULL CHECK (char_length(title) BETWEEN 5 AND 120),
	domain_id smallint NOT NULL REFERENCES domains (id),
	description text NOT NULL,
	description_html text NOT NULL DEFAULT '',	-- rendered at save
	remote boolean NOT NULL DEFAULT false,
	-- One-off: starts_at and ends_at. Recurring: a period (starts_at, and
	-- ends_at when it has an end) and a weekly commitment in hours.
	date_kind text NOT NULL CHECK (date_kind IN ('one_off', 'recurring')),
	starts_at timestamptz NOT NULL,
	ends_at timestamptz,
	hours_per_week smallint CHECK (hours_per_week BETWEEN 1 AND 60),
	places integer NOT NULL CHECK (places BETWEEN 1 AND 10000),
	places_taken integer NOT NULL DEFAULT 0,
	min_age smallint NOT NULL DEFAULT 16 CHECK (min_age BETWEEN 0 AND 99),
	-- Up to three statements the volunteer must confirm (≤ 100 chars).
	prerequisites text[] NOT NULL DEFAULT '{}'
		CHECK (cardinality(prerequisites) <= 3),
	status text NOT NULL DEFAULT 'draft' CHECK (status IN ('draft',
		'pending', 'validated', 'completed', 'reported', 'cancelled')),
	status_reason text,
	-- Validated, and its organisation too: kept by the triggers below.
	online boolean NOT NULL DEFAULT false,
	-- The organisation's (set by a trigger): the referents' scope.
	departement text,
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	submitted_at timestamptz,
	validated_at timestamptz,
	completed_at timestamptz,
	auto_completed boolean NOT NULL DEFAULT false,
	CHECK (places_taken BETWEEN 0 AND places),
	CHECK (ends_at IS NULL OR ends_at > starts_at),
	CHECK (date_kind <> 'one_off' OR ends_at IS NOT NULL),
	CHECK (date_kind <> 'recurring' OR hours_per_week IS NOT NULL)
);
CREATE INDEX missions_organisation ON missions (organisation_id, status, id);
CREATE INDEX missions_online ON missions (starts_at, id) WHERE online;
CREATE INDEX missions_moderation ON missions (status, departement, id);
CREATE INDEX missions_outdated ON missions (ends_at) WHERE status = 'validated';

-- Where an on-site mission takes place: one or more address blocks, each
-- with its commune's point (the distances of the committees).
CREATE TABLE mission_places (
	id bigserial PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
	position smallint NOT NULL DEFAULT 1,
	street text,
	postal_code text,
	country char(2) NOT NULL REFERENCES countries (code),
	city_insee text,
	city_name text NOT NULL,
	longitude double precision,
	latitude double precision,
	CHECK (country <> 'FR' OR (postal_code IS NOT NULL AND city_insee IS NOT NULL))
);
CREATE INDEX mission_places_mission ON mission_places (mission_id, position);
CREATE INDEX mission_places_point ON mission_places
	USING gist (ll_to_earth(latitude, longitude)) WHERE latitude IS NOT NULL;
CREATE TRIGGER mission_places_point
	BEFORE INSERT OR UPDATE OF city_insee ON mission_places
	FOR EACH ROW EXECUTE FUNCTION place_point();

-- Optional time slots ("créneaux"), each with its own capacity. An
-- application to a mission with slots names one and takes a place in the
-- slot and in the mission.
CREATE TABLE mission_slots (
	id bigserial PRIMARY KEY,
	mission_id bigint NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
	starts_at timestamptz NOT NULL,
	ends_at timestamptz NOT NULL,
	capacity integer NOT NULL CHECK (capacity BETWEEN 1 AND 10000),
	taken integer NOT NULL DEFAULT 0,
	CHECK (ends_at > starts_at),
	CHECK (taken BETWEEN 0 AND capacity)
);
CREATE INDEX mission_slots_mission ON mission_slots (mission_id, starts_at, id);

-- A mission is online when it is validated and its organisation too; its
-- département is its organisation's.
CREATE FUNCTION missions_online() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	o organisations%ROWTYPE;
BEGIN
	SELECT * INTO o FROM organisations WHERE id = NEW.organisation_id;
	NEW.online := NEW.status = 'validated' AND o.status = 'validated';
	NEW.departement := o.departement;
	RETURN NEW;
END $$;
CREATE TRIGGER missions_online
	BEFORE INSERT OR UPDATE OF status, organisation_id ON missions
	FOR EACH ROW EXECUTE FUNCTION missions_online();

CREATE FUNCTION organisations_missions_online() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	UPDATE missions m SET online = m.status = 'validated'
		AND NEW.status = 'validated', departement = NEW.departement
	WHERE m.organisation_id = NEW.id
	AND (m.online IS DISTINCT FROM (m.status = 'validated'
		AND NEW.status = 'validated')
		OR m.departement IS DISTINCT FROM NEW.departement);
	RETURN NULL;
END $$;
CREATE TRIGGER organisations_missions_online
	AFTER UPDATE OF status, city_insee ON organisations
	FOR EACH ROW EXECUTE FUNCTION organisations_missions_online();

-- 4. Applications. -----------------------------------------------------

-- queued: on the waiting list (takes no place); waiting: waiting for the
-- organisation; in_progress: the organisation replied; then validated,
-- refused (reason) or cancelled (reason). waiting, in_progress and
-- validated take a place.
CREATE TABLE applications (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	mission_id bigint NOT NULL REFERENCES missions (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	slot_id bigint REFERENCES mission_slots (id) ON DELETE SET NULL,
	motivation text NOT NULL CHECK (char_length(motivation) BETWEEN 20 AND 2000),
	status text NOT NULL CHECK (status IN ('queued', 'waiting',
		'in_progress', 'validated', 'refused', 'cancelled')),
	-- refused: requirements_not_fulfilled, mission_terminated,
	-- no_response, other; cancelled by the volunteer: not_available,
	-- no_response, requirements_not_fulfilled, other; by the platform:
	-- mission_cancelled, mission_reported, account_deleted.
	reason text CHECK (reason IN ('requirements_not_fulfilled',
		'mission_terminated', 'no_response', 'not_available', 'other',
		'mission_cancelled', 'mission_reported', 'account_deleted')),
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	status_at timestamptz NOT NULL DEFAULT now(),	-- last change of status
	promoted_at timestamptz,			-- left the waiting list
	CHECK ((status IN ('refused', 'cancelled')) = (reason IS NOT NULL))
);
-- One active application per member and mission, whoever asks and however
-- fast: the index, not a check in C.
CREATE UNIQUE INDEX applications_one_active ON applications (mission_id, user_id)
	WHERE status IN ('queued', 'waiting', 'in_progress', 'validated');
CREATE INDEX applications_mission ON applications (mission_id, status, created_at, id);
CREATE INDEX applications_user ON applications (user_id, created_at DESC);

CREATE FUNCTION application_counts(s text) RETURNS boolean
	LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
	SELECT s IN ('waiting', 'in_progress', 'validated') $$;

-- The counters, by construction: taking a place is one conditional UPDATE
-- of the mission's row (and of the slot's), which fails with SQLSTATE
-- CV001 "no place" when there is none; giving one back is the reverse.
CREATE FUNCTION applications_places() RETURNS trigger LANGUAGE plpgsql AS $$
DECLARE
	takes boolean := TG_OP <> 'DELETE' AND application_counts(NEW.status);
	took boolean := TG_OP <> 'INSERT' AND application_counts(OLD.status);
BEGIN
	IF took AND (NOT takes OR OLD.slot_id IS DISTINCT FROM NEW.slot_id) THEN
		UPDATE missions SET places_taken = places_taken - 1
		WHERE id = OLD.mission_id;
		IF OLD.slot_id IS NOT NULL THEN
			UPDATE mission_slots SET taken = taken - 1
			WHERE id = OLD.slot_id;
		END IF;
		took := false;
	END IF;
	IF takes AND NOT took THEN
		UPDATE missions SET places_taken = places_taken + 1
		WHERE id = NEW.mission_id AND places_taken < places;
		IF NOT FOUND THEN
			RAISE EXCEPTION 'no place left on mission %', NEW.mission_id
				USING ERRCODE = 'CV001';
		END IF;
		IF NEW.slot_id IS NOT NULL THEN
			UPDATE mission_slots SET taken = taken + 1
			WHERE id = NEW.slot_id AND mission_id = NEW.mission_id
			AND taken < capacity;
			IF NOT FOUND THEN
				RAISE EXCEPTION 'no place left in slot %', NEW.slot_id
					USING ERRCODE = 'CV001';
			END IF;
		END IF;
	END IF;
	IF TG_OP = 'DELETE' THEN
		RETURN OLD;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER applications_places
	BEFORE INSERT OR UPDATE OF status, slot_id OR DELETE ON applications
	FOR EACH ROW EXECUTE FUNCTION applications_places();

-- Apply: one call, one transaction. Returns the application and its
-- status, or no id and why:
--   'closed'    the mission is not online (or unknown, or over, or went
--               offline while this call waited for its row),
--   'own'       the member manages the mission's organisation,
--   'too_young' the member is younger than the mission's minimum age,
--   'slot'      the slot is missing, unknown or not this mission's,
--   'duplicate' an active application of the member exists,
--   'full'      no place left and p_waitlist is false (nothing stored).
-- With p_waitlist, a full mission (or slot) puts the member on the
-- waiting list ('queued').
CREATE FUNCTION application_apply(p_mission bigint, p_user bigint,
	p_slot bigint, p_motivation text, p_waitlist boolean)
	RETURNS TABLE (application_id bigint, status text)
	LANGUAGE plpgsql AS $$
DECLARE
	m missions%ROWTYPE;
	new_id bigint;
BEGIN
	SELECT * INTO m FROM missions WHERE id = p_mission;
	IF NOT FOUND OR NOT m.online
		OR coalesce(m.ends_at, 'infinity') <= now() THEN
		RETURN QUERY SELECT NULL::bigint, 'closed'::text;
		RETURN;
	END IF;
	IF EXISTS (SELECT 1 FROM organisation_managers g
		WHERE g.organisation_id = m.organisation_id
		AND g.user_id = p_user) THEN
		RETURN QUERY SELECT NULL::bigint, 'own'::text;
		RETURN;
	END IF;
	IF m.min_age > 0 AND NOT EXISTS (SELECT 1 FROM users u
		WHERE u.id = p_user AND u.birth_date IS NOT NULL
		AND u.birth_date <= (now() AT TIME ZONE 'Europe/Paris')::date
			- make_interval(years => m.min_age)) THEN
		RETURN QUERY SELECT NULL::bigint, 'too_young'::text;
		RETURN;
	END IF;
	IF (p_slot IS NULL) <> NOT EXISTS (SELECT 1 FROM mission_slots s
			WHERE s.mission_id = p_mission)
		OR (p_slot IS NOT NULL AND NOT EXISTS (SELECT 1 FROM mission_slots s
			WHERE s.id = p_slot AND s.mission_id = p_mission)) THEN
		RETURN QUERY SELECT NULL::bigint, 'slot'::text;
		RETURN;
	END IF;
	BEGIN
		INSERT INTO applications (mission_id, user_id, slot_id,
			motivation, status)
		VALUES (p_mission, p_user, p_slot, p_motivation, 'waiting')
		RETURNING id INTO new_id;
		RETURN QUERY SELECT new_id, 'waiting'::text;
		RETURN;
	EXCEPTION
		WHEN unique_violation THEN
			RETURN QUERY SELECT NULL::bigint, 'duplicate'::text;
			RETURN;
		WHEN SQLSTATE 'CV001' THEN
			NULL;	-- full: the waiting list, if asked
		WHEN SQLSTATE 'CV002' THEN
			-- Went offline while we waited for its row
			-- (007_missions_b.sql's trigger).
			RETURN QUERY SELECT NULL::bigint, 'closed'::text;
			RETURN;
	END;
	IF NOT p_waitlist THEN
		RETURN QUERY SELECT NULL::bigint, 'full'::text;
		RETURN;
	END IF;
	BEGIN
		INSERT INTO applications (mission_id, user_id, slot_id,
			motivation, status)
		VALUES (p_mission, p_user, p_slot, p_motivation, 'queued')
		RETURNING id INTO new_id;
	EXCEPTION
		WHEN unique_violation THEN
			RETURN QUERY SELECT NULL::bigint, 'duplicate'::text;
			RETURN;
		WHEN SQLSTATE 'CV002' THEN
			RETURN QUERY SELECT NULL::bigint, 'closed'::text;
			RETURN;
	END;
	RETURN QUERY SELECT new_id, 'queued'::text;
END $$;

-- Give the free places of a mission to its waiting list, first come first
-- served (an application whose slot is still full waits on). Returns the
-- applications promoted (now 'waiting'), to be mailed in the same
-- transaction. Only for an online mission.
CREATE FUNCTION application_promote(p_mission bigint)
	RETURNS TABLE (application_id bigint)
	LANGUAGE plpgsql AS $$
DECLARE
	q record;
BEGIN
	IF NOT EXISTS (SELECT 1 FROM missions m WHERE m.id = p_mission
		AND m.online AND m.places_taken < m.places) THEN
		RETURN;
	END IF;
	FOR q IN SELECT a.id FROM applications a
		WHERE a.mission_id = p_mission AND a.status = 'queued'
		ORDER BY a.created_at, a.id
	LOOP
		BEGIN
			UPDATE applications a SET status = 'waiting',
				promoted_at = now(), status_at = now(),
				updated_at = now()
			WHERE a.id = q.id AND a.status = 'queued';
			IF FOUND THEN
				RETURN QUERY SELECT q.id;
			END IF;
		EXCEPTION WHEN SQLSTATE 'CV001' THEN
			-- This one's slot is full; the mission may be too.
			IF NOT EXISTS (SELECT 1 FROM missions m
				WHERE m.id = p_mission
				AND m.places_taken < m.places) THEN
				RETURN;
			END IF;
		END;
	END LOOP;
END $$;

-- Change one application's status from the one the request read
-- (compare-and-set), with a reason for refused and cancelled. Returns the
-- application (promoted = false) when it changed, nothing when its status
-- was no longer p_from; then, when the change freed a place, the
-- applications promoted from the waiting list (promoted = true).
CREATE FUNCTION application_change(p_id bigint, p_from text, p_to text,
	p_reason text)
	RETURNS TABLE (application_id bigint, promoted boolean)
	LANGUAGE plpgsql AS $$
DECLARE
	mid bigint;
BEGIN
	UPDATE applications a SET status = p_to, reason = p_reason,
		status_at = now(), updated_at = now()
	WHERE a.id = p_id AND a.status = p_from
	RETURNING a.mission_id INTO mid;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT p_id, false;
	IF application_counts(p_from) AND NOT application_counts(p_to) THEN
		RETURN QUERY SELECT p.application_id, true
		FROM application_promote(mid) p;
	END IF;
END $$;

-- The thread of an application: the volunteer and the organisation's
-- managers write through the platform (no address is ever shown).
CREATE TABLE application_messages (
	id bigserial PRIMARY KEY,
	application_id bigint NOT NULL REFERENCES applications (id)
		ON DELETE CASCADE,
	author_id bigint REFERENCES users (id) ON DELETE SET NULL,
	side text NOT NULL CHECK (side IN ('volunteer', 'organisation')),
	body text NOT NULL CHECK (char_length(body) BETWEEN 1 AND 5000),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX application_messages_thread ON application_messages
	(application_id, created_at, id);
CREATE INDEX application_messages_author ON application_messages (author_id);

-- A new message mails the other side at most once an hour per thread:
-- one row per (application, side mailed), taken by
-- INSERT ... ON CONFLICT DO UPDATE ... WHERE mailed_at < now() - 1 hour.
CREATE TABLE application_thread_mail (
	application_id bigint NOT NULL REFERENCES applications (id)
		ON DELETE CASCADE,
	side text NOT NULL CHECK (side IN ('volunteer', 'organisation')),
	mailed_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (application_id, side)
);

-- 5. Site search: an online mission is findable; it leaves by itself when
-- it is over (expires_at).
CREATE FUNCTION search_index_mission() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NOT NEW.online THEN
		DELETE FROM search_documents
		WHERE kind = 'mission' AND ref_id = OLD.id;
		RETURN NULL;
	END IF;
	INSERT INTO search_documents (kind, ref_id, title, summary, url,
		published_at, title_norm, tsv, expires_at)
	SELECT 'mission', NEW.id, NEW.title,
		left(o.name || ' — ' || NEW.description, 200),
		'/missions/' || NEW.slug, coalesce(NEW.validated_at, now()),
		civitas_norm(NEW.title),
		setweight(to_tsvector('civitas_fr', NEW.title), 'A') ||
		setweight(to_tsvector('civitas_fr', o.name), 'B') ||
		setweight(to_tsvector('civitas_fr', NEW.description), 'C'),
		NEW.ends_at
	FROM organisations o WHERE o.id = NEW.organisation_id
	ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title,
		summary = EXCLUDED.summary, url = EXCLUDED.url,
		published_at = EXCLUDED.published_at,
		title_norm = EXCLUDED.title_norm, tsv = EXCLUDED.tsv,
		expires_at = EXCLUDED.expires_at;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_mission
	AFTER INSERT OR UPDATE OF slug, title, description, online, ends_at,
		organisation_id OR DELETE ON missions
	FOR EACH ROW EXECUTE FUNCTION search_index_mission();

-- Pages the workers keep may show missions and organisations: a change
-- empties their caches (the civitas_content notification). Not a change
-- of places_taken: a burst of applications would empty every cache at
-- each one (pages that show places left are not kept by the workers).
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OF slug, name,
	description_html, media_id, status OR DELETE OR TRUNCATE
	ON organisations FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OF slug, title,
	description_html, online, starts_at, ends_at OR DELETE OR TRUNCATE
	ON missions FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
