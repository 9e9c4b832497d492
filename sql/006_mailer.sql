-- 006: indexes for the mail worker's tables (README, "Mass mail").

-- Deleting a member (or a newsletter subscriber) cascades to their rows of
-- every campaign: without these, each deletion reads the whole
-- campaign_recipients table (45,000 members deleted at once took minutes).
CREATE INDEX campaign_recipients_user ON campaign_recipients (user_id)
	WHERE user_id IS NOT NULL;
CREATE INDEX campaign_recipients_subscriber
	ON campaign_recipients (subscriber_id) WHERE subscriber_id IS NOT NULL;
