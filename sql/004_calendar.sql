-- 004 (calendar): the reminder the day before follows its event.
--
-- The mail worker reminds an event once (events.reminded_at, set by the
-- statement that queues the mails: app/infra/sql_calendar.def). An event
-- moved to a start more than 24 hours ahead is reminded again the day
-- before its new date; its new SEQUENCE makes new Message-IDs. A move
-- within the last 24 hours is told by the update mail only.
CREATE FUNCTION events_remind_again() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF NEW.begins_at IS DISTINCT FROM OLD.begins_at
	    AND NEW.begins_at > now() + interval '24 hours' THEN
		NEW.reminded_at := NULL;
	END IF;
	RETURN NEW;
END $$;
CREATE TRIGGER events_remind_again BEFORE UPDATE OF begins_at ON events
	FOR EACH ROW EXECUTE FUNCTION events_remind_again();
