-- 006 (invitations to join, issue 10): each send of /invite, for
-- statistics and abuse review. Who sent it (a member, or NULL for a
-- visitor without an account), how many addresses were mailed and how
-- many skipped (invited by someone in the last 24 hours), and when. No
-- address is kept here, not even hashed: the 24-hour rule keeps its keyed
-- hashes in invitation_addresses (003), shared with event invitations.
CREATE TABLE invite_sends (
	id bigserial PRIMARY KEY,
	inviter_id bigint REFERENCES users (id) ON DELETE SET NULL,
	sent integer NOT NULL CHECK (sent >= 0),
	skipped integer NOT NULL CHECK (skipped >= 0),
	CHECK (sent + skipped BETWEEN 1 AND 5),
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX invite_sends_created ON invite_sends (created_at);
CREATE INDEX invite_sends_inviter ON invite_sends (inviter_id, created_at)
	WHERE inviter_id IS NOT NULL;
