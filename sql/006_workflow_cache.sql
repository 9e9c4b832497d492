-- 006 (issue 10, speed of a workflow step): each worker keeps the active
-- choices of "Convaincre un ami" in its memory (features/convince.c) and
-- drops them when PostgreSQL notifies a change on civitas_content, the
-- channel the workers already LISTEN on for their page cache (002).
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON convince_choices FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
