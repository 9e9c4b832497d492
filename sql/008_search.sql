-- Site search at 100,000 documents (issue 12).
--
-- Before, a query ranked every match: for a word found in half the
-- documents, ts_rank_cd ran 50,000 times (and read 50,000 rows) to keep
-- 20. Now the ranking runs among candidates found in a cheap order:
--   * the 100 most recent live matches (the index on published_at below,
--     walked newest first and stopped at 100; for a rare word the planner
--     takes the GIN index instead and the candidates are all its matches);
--   * the 20 most recent live documents whose title matches (title_tsv),
--     so that an older title match is not lost behind a hundred recent
--     mentions.
-- They are ranked as before: ts_rank_cd with the weights stored in each
-- row's tsvector (A title, B summary, city or organisation, C body), then
-- recency. A query with fewer than 100 matches is ranked exactly as
-- before. The typo tier (titles close to the words, through the trigram
-- index) runs only when the full text leaves places free.

-- Walked newest first by the candidate scans.
CREATE INDEX search_documents_recent ON search_documents (published_at DESC);

-- The title's words on their own, with their own index and statistics, so
-- that the planner knows how often a word is in titles (a word common in
-- bodies may be rare in titles: walking recent documents for it would
-- read the whole table).
ALTER TABLE search_documents ADD COLUMN title_tsv tsvector
	GENERATED ALWAYS AS (to_tsvector('civitas_fr', title)) STORED;
CREATE INDEX search_documents_title_tsv ON search_documents
	USING gin (title_tsv) WITH (fastupdate = off);

-- GIN's fast update queues new entries in a pending list that every
-- search then reads from start to end, until a vacuum merges it (up to
-- 4 MB: after a burst of publications, milliseconds per search). The
-- search indexes are read far more than written: each change goes to its
-- place in the index at once instead.
ALTER INDEX search_documents_tsv SET (fastupdate = off);
ALTER INDEX search_documents_trgm SET (fastupdate = off);
SELECT gin_clean_pending_list('search_documents_tsv');
SELECT gin_clean_pending_list('search_documents_trgm');

-- The planner chooses between walking recent documents and the GIN index
-- from the words' frequencies (most common elements). The default sample
-- keeps about a thousand words and guesses that every other word is half
-- as frequent as the least frequent kept one: a rare word then looks
-- common enough to walk for. A larger sample keeps ten times more words.
ALTER TABLE search_documents ALTER COLUMN tsv SET STATISTICS 1000;
ALTER TABLE search_documents ALTER COLUMN title_tsv SET STATISTICS 1000;

-- The workers keep search results until the next document appears or
-- leaves by itself (the next published_at or expires_at to come), at most
-- SEARCH_CACHE_SECONDS: found through these two indexes.
CREATE INDEX search_documents_expires ON search_documents (expires_at)
	WHERE expires_at IS NOT NULL;

-- The workers keep search results a short while (app/features/search.c)
-- and drop them on this notification: any change to the index, whatever
-- caused it, tells them at commit.
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON search_documents FOR EACH STATEMENT EXECUTE FUNCTION content_changed();

-- The warning "parameter pg_trgm.word_similarity_threshold cannot be set
-- during a parallel operation" came from the database-level setting of
-- sql/002_content.sql. A new backend applies such a setting as a
-- placeholder, pg_trgm being not yet loaded; a process that loads pg_trgm
-- in the middle of a parallel operation (the workers of a parallel VACUUM
-- reaching the trigram index, e.g. in `make bench`'s setup) cannot turn
-- the placeholder into the parameter then, warns, and keeps pg_trgm's
-- default of 0.6. The threshold now travels with the search function
-- (its SET clause, applied on each call in the calling backend and handed
-- to parallel workers with the rest of its settings), and the database
-- carries nothing.
DO $$ BEGIN
	EXECUTE format('ALTER DATABASE %I RESET pg_trgm.word_similarity_threshold',
		current_database());
END $$;

-- The typo tier corrects words rather than comparing whole titles: the
-- words of every title indexed so far (normalised, three letters or more)
-- and a trigram index on them. A word of the query is replaced by itself
-- or the five indexed words closest to it (pg_trgm word similarity at the
-- threshold), and the corrected query goes through the same full-text
-- ranking. Looking up a few thousand distinct words is cheap where
-- comparing the query with every title sharing trigrams with it was not
-- (a typo of a word found in 1,900 titles cost 1,900 similarities). Words
-- are never removed: a word no live document has any more finds nothing.
CREATE TABLE search_words (word text PRIMARY KEY);

CREATE FUNCTION search_words_add() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	INSERT INTO search_words (word)
	SELECT DISTINCT w
	FROM regexp_split_to_table(NEW.title_norm, '[^[:alnum:]]+') w
	WHERE length(w) BETWEEN 3 AND 40
	ON CONFLICT DO NOTHING;
	RETURN NULL;
END $$;
CREATE TRIGGER search_words_add
	AFTER INSERT OR UPDATE OF title_norm ON search_documents
	FOR EACH ROW EXECUTE FUNCTION search_words_add();

INSERT INTO search_words (word)
SELECT DISTINCT w
FROM search_documents, regexp_split_to_table(title_norm, '[^[:alnum:]]+') w
WHERE length(w) BETWEEN 3 AND 40
ON CONFLICT DO NOTHING;
CREATE INDEX search_words_trgm ON search_words USING gin (word gin_trgm_ops)
	WITH (fastupdate = off);

-- words corrected: each word, or one of the indexed words close to it.
-- NULL when the query has no word. The threshold of pg_trgm's <% comes
-- with the function (see above). Each word is looked up with a plan made
-- for it, through the trigram index: the planner costs a similarity like
-- an equality and would otherwise compare the word with all the indexed
-- words (by hand on the bench corpus: 4 ms for 6,000 words, 0.1 ms
-- through the index; not a `make bench` figure). PARALLEL SAFE:
-- a parallel worker may run it, with its settings (a test does).
CREATE FUNCTION search_corrected(words text) RETURNS tsquery
LANGUAGE plpgsql STABLE PARALLEL SAFE
SET pg_trgm.word_similarity_threshold = 0.45
SET plan_cache_mode = force_custom_plan
SET enable_seqscan = off
AS $$
DECLARE
	w text;
	alts text;
	parts text[] := '{}';
BEGIN
	FOREACH w IN ARRAY regexp_split_to_array(civitas_norm(words),
	    '[^[:alnum:]]+') LOOP
		CONTINUE WHEN w = '';
		SELECT string_agg(quote_literal(c.word), ' | ') INTO alts
		FROM (SELECT w AS word
			UNION
			(SELECT s.word FROM search_words s
			WHERE length(w) >= 3 AND w <% s.word
			ORDER BY word_similarity(w, s.word) DESC,
				similarity(w, s.word) DESC, s.word
			LIMIT 5)) c;
		parts := parts || ('(' || alts || ')');
	END LOOP;
	IF cardinality(parts) = 0 THEN
		RETURN NULL;
	END IF;
	RETURN to_tsquery('civitas_fr', array_to_string(parts, ' & '));
END $$;

-- The matches of a query: kind, title, url, summary, published_at and a
-- snippet of the summary (\001 and \002 around the matches), best first,
-- lim at most: first those of the query, ranked; then, when they leave
-- places, those of the corrected query (typos), ranked after them.
--   tsq    a tsquery string built by the caller from letters and digits
--          only ("w1 & w2:*");
--   words  the query's words, for the typo tier.
-- SET plan_cache_mode: each call is planned with its own query, so that
-- the planner sees how common the words are (MCE statistics) and picks
-- the recent-first walk for a common word and the GIN index for a rare
-- one; a generic plan would pick one for all.
CREATE FUNCTION search_find(tsq text, words text, lim integer)
RETURNS TABLE (kind text, title text, url text, summary text,
	published_at timestamptz, snippet text)
LANGUAGE plpgsql STABLE
SET plan_cache_mode = force_custom_plan
AS $$
#variable_conflict use_column
DECLARE
	q tsquery := to_tsquery('civitas_fr', tsq);
	x tsquery := q;
	typos boolean := false;
	found_ integer := 0;
	got integer;
BEGIN
	LOOP
		RETURN QUERY
		WITH recent AS MATERIALIZED (
			SELECT d.kind, d.ref_id FROM search_documents d
			WHERE d.tsv @@ x AND NOT (typos AND d.tsv @@ q)
				AND d.published_at <= now()
				AND (d.expires_at IS NULL OR d.expires_at > now())
			ORDER BY d.published_at DESC LIMIT 100),
		titled AS MATERIALIZED (
			SELECT d.kind, d.ref_id FROM search_documents d
			WHERE d.title_tsv @@ x AND NOT (typos AND d.tsv @@ q)
				AND d.published_at <= now()
				AND (d.expires_at IS NULL OR d.expires_at > now())
			ORDER BY d.published_at DESC LIMIT lim),
		ranked AS MATERIALIZED (
			SELECT d.kind, d.ref_id, ts_rank_cd(d.tsv, x) AS score,
				d.published_at
			FROM search_documents d
			JOIN (SELECT * FROM recent UNION SELECT * FROM titled) c
				ON c.kind = d.kind AND c.ref_id = d.ref_id
			ORDER BY score DESC, d.published_at DESC, d.ref_id DESC
			LIMIT lim - found_)
		SELECT d.kind, d.title, d.url, d.summary, d.published_at,
			ts_headline('civitas_fr', d.summary, x,
				'StartSel=' || chr(1) || ', StopSel=' || chr(2) ||
				', MaxWords=30, MinWords=12, MaxFragments=2, '
				'FragmentDelimiter=" … "')
		FROM ranked r
		JOIN search_documents d ON d.kind = r.kind AND d.ref_id = r.ref_id
		ORDER BY r.score DESC, r.published_at DESC, r.ref_id DESC;
		GET DIAGNOSTICS got = ROW_COUNT;
		found_ := found_ + got;
		EXIT WHEN typos OR found_ >= lim;
		x := search_corrected(words);
		EXIT WHEN x IS NULL OR x = q;
		typos := true;
	END LOOP;
END $$;
