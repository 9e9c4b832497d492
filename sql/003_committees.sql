-- 003: places and distances, committees, events, registrations.
--
-- Rules of record live here, where concurrency cannot break them: one
-- pending or refused committee per creator, one supervisor per committee,
-- names unique once accents and case are folded, capacity and the waiting
-- list of an event (event_register, event_unregister), exactly one reminder.

-- Distances: the cube and earthdistance extensions of postgresql-contrib
-- (part of Debian's postgresql-15 package, nothing more to install). A
-- commune centre is a point, distances are great-circle metres on a sphere
-- (0.5% from the ellipsoid, far below the size of a commune), and a GiST
-- index on ll_to_earth() finds everything in a box around a point.
CREATE EXTENSION IF NOT EXISTS cube;
CREATE EXTENSION IF NOT EXISTS earthdistance;

-- The point of each commune (sql/data/commune_points.csv, loaded by
-- sql/reference.sql). A commune without a row is near nothing.
CREATE TABLE commune_points (
	insee_code text PRIMARY KEY CHECK (insee_code ~ '^[0-9][0-9AB][0-9]{3}$'),
	longitude double precision NOT NULL CHECK (longitude BETWEEN -180 AND 180),
	latitude double precision NOT NULL CHECK (latitude BETWEEN -90 AND 90),
	source text NOT NULL CHECK (source IN ('centre', 'city', 'postal_code'))
);

-- The time zone of a place in France, from its postal code: overseas
-- départements and collectivities have their own. Abroad the zone is
-- chosen by the organiser.
CREATE FUNCTION france_time_zone(postal_code text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
	SELECT CASE left(postal_code, 3)
		WHEN '971' THEN 'America/Guadeloupe'
		WHEN '972' THEN 'America/Martinique'
		WHEN '973' THEN 'America/Cayenne'
		WHEN '974' THEN 'Indian/Reunion'
		WHEN '975' THEN 'America/Miquelon'
		WHEN '976' THEN 'Indian/Mayotte'
		WHEN '977' THEN 'America/St_Barthelemy'
		WHEN '978' THEN 'America/Marigot'
		WHEN '986' THEN 'Pacific/Wallis'
		WHEN '987' THEN 'Pacific/Tahiti'
		WHEN '988' THEN 'Pacific/Noumea'
		ELSE 'Europe/Paris' END $$;

-- A row with city_insee gets its commune's point (committees, events and,
-- later, missions): set here so no code path can forget it.
CREATE FUNCTION place_point() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	SELECT p.longitude, p.latitude INTO NEW.longitude, NEW.latitude
	FROM commune_points p WHERE p.insee_code = NEW.city_insee;
	IF NOT FOUND THEN
		NEW.longitude := NULL;
		NEW.latitude := NULL;
	END IF;
	RETURN NEW;
END $$;

CREATE TABLE committees (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name text NOT NULL CHECK (char_length(name) BETWEEN 2 AND 50),
	description text NOT NULL,
	description_html text NOT NULL DEFAULT '',	-- rendered at save
	street text,
	postal_code text,
	country char(2) NOT NULL REFERENCES countries (code),
	city_insee text,
	city_name text NOT NULL,
	longitude double precision,
	latitude double precision,
	media_id bigint REFERENCES media (id) ON DELETE SET NULL,
	website_url text CHECK (website_url ~ '^https?://'),
	facebook_url text CHECK (facebook_url ~ '^https?://'),
	twitter_handle text CHECK (twitter_handle ~ '^@[A-Za-z0-9_]{1,15}$'),
	status text NOT NULL DEFAULT 'pending'
		CHECK (status IN ('pending', 'approved', 'refused')),
	refusal_reason text,
	created_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	approved_at timestamptz,
	CHECK (country <> 'FR' OR (postal_code IS NOT NULL AND city_insee IS NOT NULL)),
	CHECK (status <> 'approved' OR approved_at IS NOT NULL)
);
-- "Lyon Centre" and "lyon centré" are the same name.
CREATE UNIQUE INDEX committees_name_key ON committees (civitas_norm(name));
-- A member waits for one committee at a time, and a refused one stays in
-- the way until an admin deletes it.
CREATE UNIQUE INDEX committees_one_open ON committees (created_by)
	WHERE status IN ('pending', 'refused');
CREATE INDEX committees_approved ON committees (name, id) WHERE status = 'approved';
CREATE INDEX committees_point ON committees
	USING gist (ll_to_earth(latitude, longitude))
	WHERE status = 'approved' AND latitude IS NOT NULL;
CREATE INDEX committees_country ON committees (country, name) WHERE status = 'approved';
CREATE TRIGGER committees_point BEFORE INSERT OR UPDATE OF city_insee ON committees
	FOR EACH ROW EXECUTE FUNCTION place_point();

-- Who follows a committee, in which role, and what they want to hear.
CREATE TABLE committee_memberships (
	committee_id bigint NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
	user_id bigint NOT NULL REFERENCES users (id) ON DELETE CASCADE,
	role text NOT NULL DEFAULT 'follower'
		CHECK (role IN ('follower', 'host', 'supervisor')),
	notify_messages boolean NOT NULL DEFAULT true,	-- messages of the committee
	notify_events boolean NOT NULL DEFAULT true,	-- events near me
	notify_followers boolean NOT NULL DEFAULT false,	-- hosts: a new follower
	joined_at timestamptz NOT NULL DEFAULT now(),
	PRIMARY KEY (committee_id, user_id)
);
CREATE UNIQUE INDEX committee_one_supervisor ON committee_memberships (committee_id)
	WHERE role = 'supervisor';
CREATE INDEX committee_memberships_user ON committee_memberships (user_id);
CREATE INDEX committee_memberships_hosts ON committee_memberships (committee_id)
	WHERE role <> 'follower';

-- The committee's timeline.
CREATE TABLE committee_messages (
	id bigserial PRIMARY KEY,
	committee_id bigint NOT NULL REFERENCES committees (id) ON DELETE CASCADE,
	author_id bigint REFERENCES users (id) ON DELETE SET NULL,
	author_name text NOT NULL,	-- first name and initial, kept if the author goes
	subject text NOT NULL CHECK (char_length(subject) BETWEEN 1 AND 150),
	body_md text NOT NULL CHECK (char_length(body_md) >= 10),
	body_html text NOT NULL DEFAULT '',
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX committee_messages_recent ON committee_messages
	(committee_id, created_at DESC, id DESC);

CREATE TABLE event_categories (
	id bigserial PRIMARY KEY,
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name text NOT NULL UNIQUE CHECK (name <> ''),
	position integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- An event of a committee, or a national one (committee_id NULL). Times
-- are instants; time_zone is the zone of the place, in which they are shown.
CREATE TABLE events (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),	-- the ICS UID
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	committee_id bigint REFERENCES committees (id) ON DELETE CASCADE,
	organizer_id bigint REFERENCES users (id) ON DELETE SET NULL,
	organizer_name text NOT NULL,	-- first name and initial, or the committee
	category_id bigint REFERENCES event_categories (id) ON DELETE SET NULL,
	name text NOT NULL CHECK (char_length(name) BETWEEN 5 AND 100),
	description text NOT NULL,
	description_html text NOT NULL DEFAULT '',
	begins_at timestamptz NOT NULL,
	finishes_at timestamptz NOT NULL,
	time_zone text NOT NULL,
	online_url text CHECK (online_url ~ '^https?://'),
	street text,
	postal_code text,
	country char(2) REFERENCES countries (code),
	city_insee text,
	city_name text,
	longitude double precision,
	latitude double precision,
	capacity integer CHECK (capacity > 0),
	status text NOT NULL DEFAULT 'scheduled'
		CHECK (status IN ('scheduled', 'cancelled')),
	cancel_message text,
	-- RFC 5545 SEQUENCE: raised by events_sequence on every change of
	-- time, place or status, never lowered.
	sequence integer NOT NULL DEFAULT 0,
	reminded_at timestamptz,	-- the day-before mail went (events_remind)
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (finishes_at > begins_at),
	CHECK ((online_url IS NULL) = (country IS NOT NULL)),
	CHECK (country IS NULL OR city_name IS NOT NULL),
	CHECK (country IS DISTINCT FROM 'FR' OR (postal_code IS NOT NULL AND city_insee IS NOT NULL))
);
CREATE INDEX events_upcoming ON events (begins_at, id) WHERE status = 'scheduled';
CREATE INDEX events_committee ON events (committee_id, begins_at);
CREATE INDEX events_point ON events USING gist (ll_to_earth(latitude, longitude))
	WHERE status = 'scheduled' AND latitude IS NOT NULL;
CREATE TRIGGER events_point BEFORE INSERT OR UPDATE OF city_insee ON events
	FOR EACH ROW EXECUTE FUNCTION place_point();

CREATE FUNCTION events_sequence() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF (NEW.begins_at, NEW.finishes_at, NEW.time_zone, NEW.online_url,
	    NEW.street, NEW.postal_code, NEW.country, NEW.city_insee,
	    NEW.city_name, NEW.status)
	    IS DISTINCT FROM
	   (OLD.begins_at, OLD.finishes_at, OLD.time_zone, OLD.online_url,
	    OLD.street, OLD.postal_code, OLD.country, OLD.city_insee,
	    OLD.city_name, OLD.status) THEN
		NEW.sequence := OLD.sequence + 1;
	ELSE
		NEW.sequence := OLD.sequence;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER events_sequence BEFORE UPDATE ON events
	FOR EACH ROW EXECUTE FUNCTION events_sequence();

-- A person registered to an event (a member, or a guest by e-mail): one
-- row per event and address, whatever happens to it.
CREATE TABLE event_registrations (
	id bigserial PRIMARY KEY,
	uuid uuid NOT NULL UNIQUE DEFAULT gen_random_uuid(),
	event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	user_id bigint REFERENCES users (id) ON DELETE CASCADE,
	email text NOT NULL CHECK (email = lower(email)),
	first_name text NOT NULL,
	last_name text NOT NULL,
	postal_code text,
	news_optin boolean NOT NULL DEFAULT false,
	status text NOT NULL CHECK (status IN ('registered', 'waiting', 'cancelled')),
	-- The single-use link to cancel without logging in: an HMAC of its
	-- token (like user_tokens), cleared once used.
	cancel_token_hash text UNIQUE,
	attended boolean,	-- the host's check-in: NULL not yet, then present/absent
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	registered_at timestamptz,
	cancelled_at timestamptz,
	UNIQUE (event_id, email)
);
CREATE INDEX event_registrations_queue ON event_registrations
	(event_id, status, created_at, id);
CREATE INDEX event_registrations_user ON event_registrations (user_id);

-- Register (or update) one person, under the event's row lock: capacity
-- can never be exceeded and the waiting list keeps its order, whatever the
-- number of simultaneous callers. Returns the registration and its status
-- ('registered' or 'waiting'); nothing when the event takes no
-- registration (cancelled, finished, unknown). A cancelled registration
-- comes back at the end of the queue; an active one keeps its place and
-- gets the new names.
CREATE FUNCTION event_register(p_event bigint, p_user bigint, p_email text,
	p_first text, p_last text, p_postal text, p_optin boolean, p_token_hash text)
	RETURNS TABLE (registration_id bigint, status text, was_active boolean)
	LANGUAGE plpgsql AS $$
DECLARE
	ev events%ROWTYPE;
	reg event_registrations%ROWTYPE;
	taken integer;
	new_status text;
BEGIN
	SELECT * INTO ev FROM events WHERE id = p_event FOR UPDATE;
	IF NOT FOUND OR ev.status <> 'scheduled' OR ev.finishes_at <= now() THEN
		RETURN;
	END IF;
	SELECT * INTO reg FROM event_registrations r
	WHERE r.event_id = p_event AND r.email = p_email;
	IF FOUND AND reg.status <> 'cancelled' THEN
		UPDATE event_registrations r SET first_name = p_first,
			last_name = p_last, postal_code = p_postal,
			news_optin = p_optin OR r.news_optin,
			user_id = coalesce(r.user_id, p_user), updated_at = now()
		WHERE r.id = reg.id;
		RETURN QUERY SELECT reg.id, reg.status, true;
		RETURN;
	END IF;
	SELECT count(*) INTO taken FROM event_registrations r
	WHERE r.event_id = p_event AND r.status = 'registered';
	new_status := CASE WHEN ev.capacity IS NULL OR taken < ev.capacity
		THEN 'registered' ELSE 'waiting' END;
	INSERT INTO event_registrations AS r (event_id, user_id, email,
		first_name, last_name, postal_code, news_optin, status,
		cancel_token_hash, registered_at)
	VALUES (p_event, p_user, p_email, p_first, p_last, p_postal, p_optin,
		new_status, p_token_hash,
		CASE WHEN new_status = 'registered' THEN now() END)
	ON CONFLICT (event_id, email) DO UPDATE SET
		user_id = coalesce(r.user_id, EXCLUDED.user_id),
		first_name = EXCLUDED.first_name, last_name = EXCLUDED.last_name,
		postal_code = EXCLUDED.postal_code,
		news_optin = EXCLUDED.news_optin, status = EXCLUDED.status,
		cancel_token_hash = EXCLUDED.cancel_token_hash,
		registered_at = EXCLUDED.registered_at, cancelled_at = NULL,
		created_at = now(), updated_at = now()
	RETURNING r.id INTO reg.id;
	RETURN QUERY SELECT reg.id, new_status, false;
END $$;

-- Fill the free seats of an event from its waiting list, first come first
-- served, under the event's row lock: after a cancellation or a capacity
-- raised by the host. Returns the registrations promoted (to be mailed in
-- the same transaction).
CREATE FUNCTION event_fill(p_event bigint)
	RETURNS TABLE (registration_id bigint)
	LANGUAGE plpgsql AS $$
DECLARE
	ev events%ROWTYPE;
	free integer;
BEGIN
	SELECT * INTO ev FROM events WHERE id = p_event FOR UPDATE;
	IF NOT FOUND OR ev.status <> 'scheduled' OR ev.finishes_at <= now() THEN
		RETURN;
	END IF;
	IF ev.capacity IS NULL THEN
		free := 2147483647;
	ELSE
		SELECT ev.capacity - count(*) INTO free FROM event_registrations r
		WHERE r.event_id = p_event AND r.status = 'registered';
	END IF;
	IF free <= 0 THEN
		RETURN;
	END IF;
	RETURN QUERY
	UPDATE event_registrations r SET status = 'registered',
		registered_at = now(), updated_at = now()
	WHERE r.id IN (SELECT w.id FROM event_registrations w
		WHERE w.event_id = p_event AND w.status = 'waiting'
		ORDER BY w.created_at, w.id LIMIT free)
	RETURNING r.id;
END $$;

-- Cancel one registration (by id) and give its seat to the first waiting
-- person. Returns the cancelled registration (cancelled = true) and the
-- one promoted, if any (cancelled = false); nothing if it was already
-- cancelled.
CREATE FUNCTION event_unregister(p_registration bigint)
	RETURNS TABLE (registration_id bigint, cancelled boolean)
	LANGUAGE plpgsql AS $$
DECLARE
	ev_id bigint;
BEGIN
	SELECT r.event_id INTO ev_id FROM event_registrations r
	WHERE r.id = p_registration;
	IF NOT FOUND THEN
		RETURN;
	END IF;
	PERFORM 1 FROM events WHERE id = ev_id FOR UPDATE;
	UPDATE event_registrations r SET status = 'cancelled',
		cancelled_at = now(), updated_at = now(), cancel_token_hash = NULL
	WHERE r.id = p_registration AND r.status <> 'cancelled';
	IF NOT FOUND THEN
		RETURN;
	END IF;
	RETURN QUERY SELECT p_registration, true;
	RETURN QUERY SELECT f.registration_id, false FROM event_fill(ev_id) f;
END $$;

-- Invitations to an event, and (issue 10) to join: an address is mailed at
-- most once in 24 hours whoever invites it. Only a keyed hash of the
-- address is kept (HMAC with APP_SECRET, computed in C), and for 30 days.
CREATE TABLE invitation_addresses (
	address_hash text PRIMARY KEY,
	last_invited_at timestamptz NOT NULL DEFAULT now()
);
CREATE TABLE event_invitations (
	id bigserial PRIMARY KEY,
	event_id bigint NOT NULL REFERENCES events (id) ON DELETE CASCADE,
	inviter_id bigint REFERENCES users (id) ON DELETE SET NULL,
	address_hash text NOT NULL,
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX event_invitations_inviter ON event_invitations (inviter_id, created_at);

-- Mail with a Reply-To (a host writing to members through the platform)
-- and one attachment (the event's .ics).
ALTER TABLE outbox
	ADD COLUMN reply_to text,
	ADD COLUMN attachment_name text,
	ADD COLUMN attachment_type text,
	ADD COLUMN attachment text,
	ADD CHECK ((attachment IS NULL) = (attachment_name IS NULL)
		AND (attachment IS NULL) = (attachment_type IS NULL));

-- Search: committees and events join the index; an event leaves it by
-- itself when it is over (expires_at, filtered at query time).
ALTER TABLE search_documents ADD COLUMN expires_at timestamptz;

CREATE FUNCTION search_index_committee() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NEW.status <> 'approved' THEN
		DELETE FROM search_documents
		WHERE kind = 'committee' AND ref_id = OLD.id;
		RETURN NULL;
	END IF;
	INSERT INTO search_documents (kind, ref_id, title, summary, url,
		published_at, title_norm, tsv)
	VALUES ('committee', NEW.id, NEW.name,
		left(NEW.city_name || ' — ' || NEW.description, 200),
		'/committees/' || NEW.slug, NEW.approved_at, civitas_norm(NEW.name),
		setweight(to_tsvector('civitas_fr', NEW.name), 'A') ||
		setweight(to_tsvector('civitas_fr', NEW.city_name), 'B') ||
		setweight(to_tsvector('civitas_fr', NEW.description), 'C'))
	ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title,
		summary = EXCLUDED.summary, url = EXCLUDED.url,
		published_at = EXCLUDED.published_at,
		title_norm = EXCLUDED.title_norm, tsv = EXCLUDED.tsv;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_committee
	AFTER INSERT OR UPDATE OR DELETE ON committees
	FOR EACH ROW EXECUTE FUNCTION search_index_committee();

-- An event is found while it is scheduled, not over, and (for a
-- committee's event) its committee is approved.
CREATE FUNCTION search_index_event() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NEW.status <> 'scheduled' OR (NEW.committee_id
	    IS NOT NULL AND NOT EXISTS (SELECT 1 FROM committees c
		WHERE c.id = NEW.committee_id AND c.status = 'approved')) THEN
		DELETE FROM search_documents WHERE kind = 'event' AND ref_id = OLD.id;
		RETURN NULL;
	END IF;
	INSERT INTO search_documents (kind, ref_id, title, summary, url,
		published_at, expires_at, title_norm, tsv)
	VALUES ('event', NEW.id, NEW.name,
		left(coalesce(NEW.city_name, 'En ligne') || ' — ' || NEW.description, 200),
		'/events/' || NEW.slug, NEW.created_at, NEW.finishes_at,
		civitas_norm(NEW.name),
		setweight(to_tsvector('civitas_fr', NEW.name), 'A') ||
		setweight(to_tsvector('civitas_fr', coalesce(NEW.city_name, '')), 'B') ||
		setweight(to_tsvector('civitas_fr', NEW.description), 'C'))
	ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title,
		summary = EXCLUDED.summary, url = EXCLUDED.url,
		published_at = EXCLUDED.published_at, expires_at = EXCLUDED.expires_at,
		title_norm = EXCLUDED.title_norm, tsv = EXCLUDED.tsv;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_event
	AFTER INSERT OR UPDATE OR DELETE ON events
	FOR EACH ROW EXECUTE FUNCTION search_index_event();

-- A committee approved later (or refused after approval) takes its events
-- into the index (or out of it).
CREATE FUNCTION search_index_committee_events() RETURNS trigger
	LANGUAGE plpgsql AS $$
BEGIN
	UPDATE events SET updated_at = updated_at WHERE committee_id = NEW.id;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_committee_events
	AFTER UPDATE OF status ON committees
	FOR EACH ROW WHEN (OLD.status IS DISTINCT FROM NEW.status)
	EXECUTE FUNCTION search_index_committee_events();

-- The public pages of committees and events are kept by the workers too.
-- Not on follows and registrations: a burst of them would empty every
-- worker's cache at each one; pages that show their counts are not kept
-- by the workers (the micro-cache's second is their staleness).
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON committees FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON committee_messages FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON event_categories FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON events FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
