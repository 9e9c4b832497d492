-- 006: campaigns (issue 9, section 2). An admin's campaign may reach the
-- followers of a committee (audience 'committee'): it then names the
-- committee too, so only a host's campaign *must* have one (005 tied
-- committee_id to sender 'host' both ways). The daily limit of hosts
-- (campaigns_host_daily) is unchanged.
DO $$
DECLARE
	n text;
BEGIN
	SELECT conname INTO n FROM pg_constraint
	WHERE conrelid = 'campaigns'::regclass AND contype = 'c'
	AND pg_get_constraintdef(oid) LIKE
		'%(sender = ''host''::text) = (committee_id IS NOT NULL)%';
	EXECUTE format('ALTER TABLE campaigns DROP CONSTRAINT %I', n);
END $$;
ALTER TABLE campaigns ADD CONSTRAINT campaigns_host_committee
	CHECK (sender <> 'host' OR committee_id IS NOT NULL);
