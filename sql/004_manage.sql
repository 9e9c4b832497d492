-- 004 (host tools): daily quotas of the mail a member can make the
-- platform send (a host writing to a committee's members or an event's
-- registered people, invitations). A quota is taken in the same
-- transaction as the mails it allows (send_quota_take in
-- app/infra/sql_manage.def: one INSERT ... ON CONFLICT DO UPDATE ... WHERE
-- used + n <= limit), so concurrent sends serialise on the row and a send
-- that fails (rolled back) costs nothing. Days are those of Paris.
CREATE TABLE send_quotas (
	scope text NOT NULL
		CHECK (scope IN ('committee_contact', 'event_contact', 'invite')),
	subject_id bigint NOT NULL,	-- the committee, the event, the inviter
	day date NOT NULL,
	used integer NOT NULL CHECK (used > 0),
	PRIMARY KEY (scope, subject_id, day)
);
