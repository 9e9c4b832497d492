-- 007 (helper A, organisations): what the organisation pages need on top
-- of the contract (007_missions.sql). Each rule that concurrency could
-- break is a single statement or takes the organisation's row lock.

-- Submit the member's draft (its wizard at the charter step): it becomes
-- pending with a slug made from base (base-2, base-3... when taken, also
-- by a simultaneous submission: the UNIQUE index decides). Nothing when
-- the draft is gone or no longer at p_from (compare-and-set).
CREATE FUNCTION organisation_submit(p_user bigint, p_from text, p_base text)
	RETURNS TABLE (id bigint, slug text, name text, departement text)
	LANGUAGE plpgsql AS $$
DECLARE
	candidate text;
	n integer := 1;
BEGIN
	LOOP
		candidate := CASE WHEN n = 1 THEN p_base
			ELSE left(p_base, 72) || '-' || n END;
		BEGIN
			RETURN QUERY UPDATE organisations o SET status = 'pending',
				slug = candidate, wizard_step = 'envoyee',
				charter_accepted_at = now(), submitted_at = now(),
				updated_at = now()
			WHERE o.created_by = p_user AND o.status = 'draft'
			AND o.wizard_step = p_from
			RETURNING o.id, o.slug, o.name, o.departement;
			RETURN;
		EXCEPTION WHEN unique_violation THEN
			n := n + 1;
			IF n > 50 THEN
				RAISE;
			END IF;
		END;
	END LOOP;
END $$;

-- Invite someone to manage organisation p_org: at most 20 invitations
-- pending at a time (the organisation's row lock serialises the count).
-- The invitation's id, or nothing when the cap is reached.
CREATE FUNCTION organisation_invite(p_org bigint, p_email text,
	p_hash text, p_by bigint)
	RETURNS TABLE (invitation_id bigint)
	LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM organisations WHERE organisations.id = p_org FOR UPDATE;
	IF (SELECT count(*) FROM organisation_invitations i
		WHERE i.organisation_id = p_org AND i.accepted_at IS NULL
		AND i.expires_at > now()) >= 20 THEN
		RETURN;
	END IF;
	RETURN QUERY INSERT INTO organisation_invitations (organisation_id,
		email, token_hash, invited_by)
	VALUES (p_org, p_email, p_hash, p_by) RETURNING id;
END $$;

-- Remove manager p_user of p_org, never the last one: the organisation's
-- row lock serialises two managers removing each other. 'removed',
-- 'last' (refused) or 'absent' (not a manager).
CREATE FUNCTION organisation_manager_remove(p_org bigint, p_user bigint)
	RETURNS text LANGUAGE plpgsql AS $$
BEGIN
	PERFORM 1 FROM organisations WHERE organisations.id = p_org FOR UPDATE;
	IF NOT EXISTS (SELECT 1 FROM organisation_managers g
		WHERE g.organisation_id = p_org AND g.user_id = p_user) THEN
		RETURN 'absent';
	END IF;
	IF (SELECT count(*) FROM organisation_managers g
		WHERE g.organisation_id = p_org) <= 1 THEN
		RETURN 'last';
	END IF;
	DELETE FROM organisation_managers g
	WHERE g.organisation_id = p_org AND g.user_id = p_user;
	RETURN 'removed';
END $$;
