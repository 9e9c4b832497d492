-- 007 (part B, missions): what the mission pages need beyond the
-- contract of 007_missions.sql.
--
--   * an application is only ever inserted on a mission that is online
--     when it commits: application_apply reads the mission without a lock,
--     so an application racing a cancellation or a report could land on
--     a mission that just went offline, after the statement that cancels
--     its applications ran. The trigger below locks the mission's row (it
--     waits for a cancellation in flight, then reads the new version);
--     the taker of a place updates that row anyway, so this costs no
--     extra waiting. An open application on a mission offline is refused
--     with SQLSTATE CV002;
--   * the scheduled completion: missions_complete_outdated() completes the
--     validated missions whose end passed a month ago and declines what
--     they leave open (reason mission_terminated), with a mail each, in
--     one transaction;
--   * the indexes of the search.

CREATE FUNCTION applications_mission_online() RETURNS trigger
	LANGUAGE plpgsql AS $$
DECLARE
	is_online boolean;
BEGIN
	IF NEW.status NOT IN ('queued', 'waiting', 'in_progress') THEN
		RETURN NEW;
	END IF;
	-- The lock the place's UPDATE takes anyway (a share lock here would
	-- be upgraded by that UPDATE: two takers would deadlock).
	SELECT m.online INTO is_online FROM missions m
	WHERE m.id = NEW.mission_id FOR NO KEY UPDATE;
	IF NOT coalesce(is_online, false) THEN
		RAISE EXCEPTION 'mission % is not online', NEW.mission_id
			USING ERRCODE = 'CV002';
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER applications_mission_online
	BEFORE INSERT ON applications
	FOR EACH ROW EXECUTE FUNCTION applications_mission_online();

-- The mail of a declined application, from a template whose {first_name}
-- {mission} {organisation} {link} {base_url} are replaced by the values
-- (one pass: a value holding "{link}" stays as it is).
CREATE FUNCTION mission_mail_format(p_tpl text) RETURNS text
	LANGUAGE sql IMMUTABLE AS $$
	SELECT replace(replace(replace(replace(replace(replace(p_tpl, '%', '%%'),
		'{first_name}', '%1$s'), '{mission}', '%2$s'),
		'{organisation}', '%3$s'), '{link}', '%4$s'), '{base_url}', '%5$s')
$$;

-- Complete the validated missions whose end passed a month ago (the
-- mail worker's hourly job, and `civitas-fcgi missions-complete`). Each
-- mission is claimed by a compare-and-set on its status (two runs at once
-- complete it once; a manager completing it meanwhile wins or loses
-- cleanly); the applications it leaves open (queued, waiting,
-- in_progress) are declined with reason mission_terminated, and their
-- volunteers mailed (p_tpl: the mail's text, p_subject its subject with
-- %s for the mission) with a Message-ID of the application, ON CONFLICT
-- DO NOTHING. Returns the number of missions completed and of mails.
CREATE FUNCTION missions_complete_outdated(p_base_url text, p_tpl text,
	p_subject text)
	RETURNS TABLE (missions integer, mails integer)
	LANGUAGE plpgsql AS $$
DECLARE
	fmt text := mission_mail_format(p_tpl);
	domain text := coalesce(substring(p_base_url FROM '://([^:/]+)'),
		'civitas.localhost');
	n_missions integer := 0;
	n_mails integer := 0;
	n integer;
	m record;
BEGIN
	FOR m IN SELECT x.id FROM missions x
		WHERE x.status = 'validated'
		AND x.ends_at <= now() - interval '1 month'
		ORDER BY x.ends_at, x.id
		FOR UPDATE SKIP LOCKED
	LOOP
		UPDATE missions x SET status = 'completed', completed_at = now(),
			auto_completed = true, updated_at = now()
		WHERE x.id = m.id AND x.status = 'validated';
		IF NOT FOUND THEN
			CONTINUE;
		END IF;
		n_missions := n_missions + 1;
		WITH declined AS (
			UPDATE applications a SET status = 'refused',
				reason = 'mission_terminated', status_at = now(),
				updated_at = now()
			WHERE a.mission_id = m.id
			AND a.status IN ('queued', 'waiting', 'in_progress')
			RETURNING a.id, a.uuid, a.user_id),
		mails AS (
			INSERT INTO outbox (user_id, message_id, to_addr, subject,
				body_text)
			SELECT u.id, '<mission-terminated-' || d.uuid || '@'
				|| domain || '>', u.email,
				format(p_subject, x.title),
				format(fmt, u.first_name, x.title, o.name,
					p_base_url || '/missions', p_base_url)
			FROM declined d JOIN users u ON u.id = d.user_id
			JOIN missions x ON x.id = m.id
			JOIN organisations o ON o.id = x.organisation_id
			ON CONFLICT (message_id) DO NOTHING RETURNING 1)
		SELECT count(*) INTO n FROM mails;
		n_mails := n_mails + n;
	END LOOP;
	RETURN QUERY SELECT n_missions, n_mails;
END $$;

-- Search: the online missions by start (missions_online, contract), by
-- domain; the places of online missions near a point (the contract's
-- mission_places_point covers every place; the join filters online).
CREATE INDEX missions_online_domain ON missions (domain_id, starts_at, id)
	WHERE online;
-- The list soonest first, its count read from the index alone (the
-- contract's missions_online lacks ends_at: 50,000 heap fetches).
CREATE INDEX missions_online_list ON missions (starts_at, id) INCLUDE (ends_at)
	WHERE online;
CREATE INDEX missions_online_remote ON missions (remote, starts_at, id)
	WHERE online;

-- The contract's search_index_mission and content_changed triggers on
-- missions fire on UPDATE OF online, but "UPDATE OF" looks at the SET
-- list of the statement, not at what a BEFORE trigger changed: a
-- statement that sets only status (validate, cancel, report, complete)
-- changes online through missions_online() without firing them, so a
-- cancelled mission stayed in the site search and the workers' caches.
-- The same functions, fired by the status too.
CREATE TRIGGER search_index_mission_status
	AFTER UPDATE OF status ON missions
	FOR EACH ROW EXECUTE FUNCTION search_index_mission();
CREATE TRIGGER content_changed_status AFTER UPDATE OF status
	ON missions FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
