-- Degraded mode (issue 13, README "Degraded mode"): one switch for every
-- host. This row is the state of record; on each host the follower
-- (`civitas-fcgi mode-follow`, a child of the master) keeps the flag file
-- DEGRADED_FILE in step with it, and nginx and the workers read the file.
-- A change notifies channel civitas_mode at commit, so the followers apply
-- it within a second; they also read the row every few seconds.
CREATE TABLE site_mode (
	id boolean PRIMARY KEY DEFAULT true CHECK (id),	-- one row
	degraded boolean NOT NULL DEFAULT false,
	changed_at timestamptz NOT NULL DEFAULT now(),
	changed_by text NOT NULL DEFAULT ''
);
INSERT INTO site_mode DEFAULT VALUES;

CREATE FUNCTION site_mode_notify() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('civitas_mode', CASE WHEN NEW.degraded THEN 'on'
	    ELSE 'off' END);
	RETURN NULL;
END $$;
CREATE TRIGGER site_mode_changed AFTER UPDATE ON site_mode
	FOR EACH ROW EXECUTE FUNCTION site_mode_notify();

-- Switch, with its audit record, in one statement: $1 on, $2 the admin's
-- id (NULL from the command line), $3 who, as the audit log names them.
-- A switch to the state already in force changes nothing and records
-- nothing. Returns whether it changed, and the state.
CREATE FUNCTION site_mode_set(on_ boolean, user_id_ bigint, who text)
RETURNS TABLE (changed boolean, degraded boolean, changed_at timestamptz,
    changed_by text)
LANGUAGE sql AS $$
	WITH u AS (
		UPDATE site_mode m SET degraded = on_, changed_at = now(),
		    changed_by = who
		WHERE m.degraded IS DISTINCT FROM on_
		RETURNING m.degraded, m.changed_at, m.changed_by
	), a AS (
		INSERT INTO audit_log (user_id, user_email, action, object_type,
		    label)
		SELECT user_id_, who, CASE WHEN u.degraded THEN 'mode.degrade'
		    ELSE 'mode.restore' END, 'site', CASE WHEN u.degraded THEN
		    'mode dégradé activé' ELSE 'mode dégradé désactivé' END
		FROM u
	)
	SELECT true, u.degraded, u.changed_at, u.changed_by FROM u
	UNION ALL
	SELECT false, m.degraded, m.changed_at, m.changed_by FROM site_mode m
	WHERE NOT EXISTS (SELECT 1 FROM u)
$$;
