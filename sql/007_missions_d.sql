-- 007, part D (issue 11): what deleting an account does to volunteer
-- missions, before the users row goes (features/account.c).
--
-- * Each open application of the member (queued, waiting, in progress,
--   validated) is cancelled with reason account_deleted through
--   application_change: the place it held goes to the first of the
--   waiting list in the same transaction. The rows are locked first, in
--   id order, and each change starts from the status read under that
--   lock, so a manager's simultaneous change cannot slip between the read
--   and the compare-and-set (it waits, then finds the application
--   cancelled: its own compare-and-set answers 409).
-- * A draft organisation the member created and nobody else manages is
--   deleted (the wizard's unfinished work is theirs alone). Any other
--   organisation stays: its other managers keep it (created_by becomes
--   NULL with the row).
-- * Their messages in others' threads stay, without an author (the
--   foreign key sets author_id NULL); their own applications, and so
--   their threads, go with them (ON DELETE CASCADE) once cancelled.
--
-- Returns what application_change returned: each application cancelled
-- (promoted = false) and each promoted from a waiting list (true), to be
-- mailed in the caller's transaction.
CREATE FUNCTION account_missions_release(p_user bigint)
	RETURNS TABLE (application_id bigint, promoted boolean)
	LANGUAGE plpgsql AS $$
DECLARE
	a record;
BEGIN
	FOR a IN SELECT x.id, x.status FROM applications x
		WHERE x.user_id = p_user
		AND x.status IN ('queued', 'waiting', 'in_progress', 'validated')
		ORDER BY x.id FOR UPDATE
	LOOP
		RETURN QUERY SELECT c.application_id, c.promoted
		FROM application_change(a.id, a.status, 'cancelled',
			'account_deleted') c;
	END LOOP;
	DELETE FROM organisations o
	WHERE o.created_by = p_user AND o.status = 'draft'
	AND NOT EXISTS (SELECT 1 FROM organisation_managers g
		WHERE g.organisation_id = o.id AND g.user_id <> p_user);
END $$;
