-- 006: consent pages (README, "Mass mail"). A newsletter subscriber asks
-- to leave through a mail too: the pending unsubscribe link, apart from
-- the confirmation link (only an HMAC of each token is stored).
ALTER TABLE newsletter_subscribers
	ADD COLUMN unsubscribe_hash text UNIQUE,
	ADD COLUMN unsubscribe_expires_at timestamptz;
