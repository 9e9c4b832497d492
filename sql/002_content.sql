-- Content, media and search: the public site and its back-office.
--
-- Visibility rule, used everywhere (pages, feed, sitemap, search):
--   an article is public when status = 'published' AND published_at <= now().
-- "Scheduled" is not a stored state: it is a published article whose
-- published_at is still in the future, so it appears by itself at its time
-- with no job to run. Pages have no schedule.

CREATE EXTENSION IF NOT EXISTS unaccent;
CREATE EXTENSION IF NOT EXISTS pg_trgm;

-- The typo tier of search (pg_trgm's <% operator) takes titles at a word
-- similarity of 0.45 (the default, 0.6, misses a one-letter typo in a short
-- word). A database setting: every connection has it, with no query.
-- (Removed by sql/008_search.sql, which explains why: the threshold is now
-- set by the function that uses it.)
DO $$ BEGIN
	EXECUTE format('ALTER DATABASE %I SET pg_trgm.word_similarity_threshold '
		'= 0.45', current_database());
END $$;

-- French stemming on unaccented words: "élection" and "election" match.
CREATE TEXT SEARCH CONFIGURATION civitas_fr (COPY = french);
ALTER TEXT SEARCH CONFIGURATION civitas_fr
	ALTER MAPPING FOR hword, hword_part, word WITH unaccent, french_stem;

-- unaccent() is only STABLE (its dictionary could change); pinning the
-- dictionary makes it safe to index.
CREATE FUNCTION civitas_norm(text) RETURNS text
	LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT
	AS $$ SELECT lower(public.unaccent('public.unaccent'::regdictionary, $1)) $$;

-- Images: the original, re-encoded without metadata, stored once in
-- PostgreSQL (workers stay stateless); resized variants live in Redis.
CREATE TABLE media (
	id bigserial PRIMARY KEY,
	data bytea NOT NULL,
	mime text NOT NULL
		CHECK (mime IN ('image/jpeg', 'image/png', 'image/webp', 'image/gif')),
	width integer NOT NULL CHECK (width > 0),
	height integer NOT NULL CHECK (height > 0),
	bytes integer NOT NULL CHECK (bytes > 0),
	alt text NOT NULL CHECK (alt <> '' AND length(alt) <= 300),
	placeholder text NOT NULL,	-- data:image/jpeg;base64,... (~24 px wide)
	filename text NOT NULL DEFAULT '',
	uploaded_by bigint REFERENCES users (id) ON DELETE SET NULL,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE categories (
	id bigserial PRIMARY KEY,
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	name text NOT NULL CHECK (name <> ''),
	description text NOT NULL DEFAULT '',
	position integer NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

CREATE TABLE articles (
	id bigserial PRIMARY KEY,
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	title text NOT NULL CHECK (title <> ''),
	summary text NOT NULL DEFAULT '',
	body_md text NOT NULL DEFAULT '',
	body_html text NOT NULL DEFAULT '',	-- rendered and sanitised at save
	category_id bigint REFERENCES categories (id) ON DELETE SET NULL,
	media_id bigint REFERENCES media (id) ON DELETE SET NULL,
	author_id bigint REFERENCES users (id) ON DELETE SET NULL,
	author_name text NOT NULL DEFAULT '',	-- shown; kept if the user goes
	status text NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft', 'published')),
	featured boolean NOT NULL DEFAULT false,
	published_at timestamptz,		-- future: scheduled
	first_published_at timestamptz,	-- set once: the slug is frozen
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (status = 'draft' OR published_at IS NOT NULL)
);
CREATE INDEX articles_public ON articles (published_at DESC, id DESC)
	WHERE status = 'published';
CREATE INDEX articles_category ON articles (category_id, published_at DESC)
	WHERE status = 'published';
CREATE INDEX articles_featured ON articles (published_at DESC, id DESC)
	WHERE status = 'published' AND featured;

CREATE TABLE pages (
	id bigserial PRIMARY KEY,
	slug text NOT NULL UNIQUE CHECK (slug ~ '^[a-z0-9]+(-[a-z0-9]+)*$'),
	title text NOT NULL CHECK (title <> ''),
	body_md text NOT NULL DEFAULT '',
	body_html text NOT NULL DEFAULT '',
	status text NOT NULL DEFAULT 'draft'
		CHECK (status IN ('draft', 'published')),
	published_at timestamptz,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (status = 'draft' OR published_at IS NOT NULL)
);

-- Promotional tiles on the homepage, in position order.
CREATE TABLE home_blocks (
	id bigserial PRIMARY KEY,
	title text NOT NULL CHECK (title <> ''),
	body text NOT NULL DEFAULT '',
	link text NOT NULL DEFAULT '' CHECK (link = '' OR link ~ '^(/[^/\\]|/$|https://)'),
	media_id bigint REFERENCES media (id) ON DELETE SET NULL,
	position integer NOT NULL DEFAULT 0,
	visible boolean NOT NULL DEFAULT true,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now()
);

-- Checked before a 404: from one of our paths to another (or https URL).
CREATE TABLE redirections (
	id bigserial PRIMARY KEY,
	from_path text NOT NULL UNIQUE CHECK (from_path ~ '^/[^/\\]'),
	to_path text NOT NULL CHECK (to_path ~ '^(/[^/\\]|/$|https://)'),
	code smallint NOT NULL DEFAULT 301 CHECK (code IN (301, 302)),
	hits bigint NOT NULL DEFAULT 0,
	created_at timestamptz NOT NULL DEFAULT now(),
	updated_at timestamptz NOT NULL DEFAULT now(),
	CHECK (from_path <> to_path)
);

-- Who did what, when. Rows outlive their author and their object.
CREATE TABLE audit_log (
	id bigserial PRIMARY KEY,
	user_id bigint REFERENCES users (id) ON DELETE SET NULL,
	user_email text NOT NULL,
	action text NOT NULL,		-- e.g. article.publish
	object_type text NOT NULL,	-- article, page, category, ...
	object_id bigint,
	label text NOT NULL DEFAULT '',	-- the object's title at the time
	created_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX audit_log_recent ON audit_log (created_at DESC, id DESC);

-- One search index for every kind of public content (articles and pages
-- now; committees, events and missions later), kept by triggers in the
-- same transaction as the change. A row exists only for published content;
-- scheduled articles carry a future published_at and are filtered at query
-- time, so they become findable at their time with no job.
CREATE TABLE search_documents (
	kind text NOT NULL,
	ref_id bigint NOT NULL,
	title text NOT NULL,
	summary text NOT NULL,
	url text NOT NULL,
	published_at timestamptz NOT NULL,
	title_norm text NOT NULL,	-- civitas_norm(title), for pg_trgm
	tsv tsvector NOT NULL,
	PRIMARY KEY (kind, ref_id)
);
CREATE INDEX search_documents_tsv ON search_documents USING gin (tsv);
CREATE INDEX search_documents_trgm ON search_documents
	USING gin (title_norm gin_trgm_ops);

CREATE FUNCTION search_index_article() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
		DELETE FROM search_documents
		WHERE kind = 'article' AND ref_id = OLD.id;
		RETURN NULL;
	END IF;
	INSERT INTO search_documents (kind, ref_id, title, summary, url,
		published_at, title_norm, tsv)
	VALUES ('article', NEW.id, NEW.title, NEW.summary,
		'/articles/' || NEW.slug, NEW.published_at, civitas_norm(NEW.title),
		setweight(to_tsvector('civitas_fr', NEW.title), 'A') ||
		setweight(to_tsvector('civitas_fr', NEW.summary), 'B') ||
		setweight(to_tsvector('civitas_fr', NEW.body_md), 'C'))
	ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title,
		summary = EXCLUDED.summary, url = EXCLUDED.url,
		published_at = EXCLUDED.published_at,
		title_norm = EXCLUDED.title_norm, tsv = EXCLUDED.tsv;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_article
	AFTER INSERT OR UPDATE OR DELETE ON articles
	FOR EACH ROW EXECUTE FUNCTION search_index_article();

CREATE FUNCTION search_index_page() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	IF TG_OP = 'DELETE' OR NEW.status <> 'published' THEN
		DELETE FROM search_documents WHERE kind = 'page' AND ref_id = OLD.id;
		RETURN NULL;
	END IF;
	INSERT INTO search_documents (kind, ref_id, title, summary, url,
		published_at, title_norm, tsv)
	VALUES ('page', NEW.id, NEW.title, left(NEW.body_md, 200),
		'/pages/' || NEW.slug, NEW.published_at, civitas_norm(NEW.title),
		setweight(to_tsvector('civitas_fr', NEW.title), 'A') ||
		setweight(to_tsvector('civitas_fr', NEW.body_md), 'C'))
	ON CONFLICT (kind, ref_id) DO UPDATE SET title = EXCLUDED.title,
		summary = EXCLUDED.summary, url = EXCLUDED.url,
		published_at = EXCLUDED.published_at,
		title_norm = EXCLUDED.title_norm, tsv = EXCLUDED.tsv;
	RETURN NULL;
END $$;
CREATE TRIGGER search_index_page
	AFTER INSERT OR UPDATE OR DELETE ON pages
	FOR EACH ROW EXECUTE FUNCTION search_index_page();

-- Workers keep the public pages they rendered (core/pagecache.c) and LISTEN
-- on civitas_content: any committed change to what those pages show tells
-- them to drop their copies. NOTIFY is sent at commit, once per
-- transaction and payload. Redirections are left out: they only answer
-- paths that have no page, and those answers are never kept.
CREATE FUNCTION content_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
	PERFORM pg_notify('civitas_content', TG_TABLE_NAME);
	RETURN NULL;
END $$;
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON articles FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON pages FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON categories FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON home_blocks FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
CREATE TRIGGER content_changed AFTER INSERT OR UPDATE OR DELETE OR TRUNCATE
	ON media FOR EACH STATEMENT EXECUTE FUNCTION content_changed();
