# The benchmark database for ci/bench: an LMS-like database `lms` (institutions,
# users, courses, enrollments, lesson progress, submissions) of about 1.3 GB
# (pg_database_size) at scale 1, about 15% of it incompressible bytea. The
# content is the same on every run: every value comes from hashint4/hashint8
# and md5 of generate_series values, never from random().
#
#   source ci/lib/benchdb.sh
#   create_bench_database "$PG_BIN/psql" -X -h SOCKET_DIR -p PORT -U postgres
#
# The arguments are the psql command and its connection options (no -d).
# LIFEBOAT_BENCH_SCALE (default 1) scales every table: 0.08 gives about 100 MB
# for quick trials. Everything is loaded in one transaction that also creates
# the tables, so on a cluster with wal_level=minimal the load writes almost no
# WAL; indexes and foreign keys come after the rows; VACUUM (FREEZE, ANALYZE)
# last, so later readers find every hint bit already set and the data files no
# longer change. Prints the database size and the incompressible share.

create_bench_database() {
    local scale="${LIFEBOAT_BENCH_SCALE:-1}"
    local psql=("$@" -v ON_ERROR_STOP=1 -q)
    # Row counts at this scale (at least a handful of rows each).
    local counts
    counts="$(awk -v s="$scale" 'function n(base, least) { v = int(base * s + 0.5); return v < least ? least : v }
        BEGIN { if (s <= 0) exit 1; print n(500, 10), n(310000, 100), n(15000, 20), n(205000, 20) }')" \
        || { echo "benchdb: LIFEBOAT_BENCH_SCALE must be a positive number, not '$scale'" >&2; return 2; }
    local institutions users courses submissions
    read -r institutions users courses submissions <<<"$counts"

    local start=$SECONDS
    echo "benchdb: creating database lms (scale $scale: $users users, $courses courses, $((users * 5)) enrollments, $submissions submissions)"
    PGOPTIONS="-c client_min_messages=warning" "${psql[@]}" -d postgres -c "DROP DATABASE IF EXISTS lms" -c "CREATE DATABASE lms" || return 1
    "${psql[@]}" -d lms \
        -v institutions="$institutions" -v users="$users" -v courses="$courses" -v submissions="$submissions" <<'SQL' || return 1
SET synchronous_commit = off;
SET maintenance_work_mem = '512MB';
SET work_mem = '64MB';
BEGIN;

-- N words from a 60-word vocabulary, a different sequence for every seed.
CREATE FUNCTION bench_words(n int, seed bigint) RETURNS text LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT string_agg((ARRAY['the','student','course','lesson','assignment','grade','module','quiz','feedback','reading',
    'project','week','discussion','deadline','teacher','learning','outcome','exam','chapter','practice','review',
    'submitted','late','excellent','revise','draft','final','group','peer','lecture','question','answer','method',
    'result','analysis','data','source','argument','evidence','summary','introduction','conclusion','figure','table',
    'reference','experiment','theory','model','example','problem','solution','proof','essay','report','lab','notes',
    'slides','video','rubric','attempt'])[1 + (hashint8(seed * 65536 + i) & 2147483647) % 60], ' ')
  FROM generate_series(1, n) i $$;
-- The K-th (0..4) course of user U among C courses: five different courses per user.
CREATE FUNCTION bench_course(u int, k int, c int) RETURNS int LANGUAGE sql IMMUTABLE PARALLEL SAFE AS $$
  SELECT 1 + ((hashint4(u) & 2147483647) % c + k * (c / 5)) % c $$;

CREATE TABLE institutions (id int PRIMARY KEY, name text NOT NULL, country char(2), founded date, settings jsonb);
CREATE TABLE users (id int NOT NULL, institution_id int NOT NULL, email text NOT NULL, full_name text, bio text,
  settings jsonb, created_at timestamptz NOT NULL, last_login timestamptz);
CREATE TABLE courses (id int NOT NULL, institution_id int NOT NULL, code text, title text, description text,
  credits numeric(4,1), starts_on date, created_at timestamptz);
CREATE TABLE enrollments (user_id int NOT NULL, course_id int NOT NULL, enrolled_at timestamptz NOT NULL, role text NOT NULL,
  grade numeric(5,2));
CREATE TABLE lesson_progress (id bigint NOT NULL, user_id int NOT NULL, course_id int NOT NULL, lesson int NOT NULL,
  percent numeric(5,2), seconds_spent int, completed boolean, updated_at timestamptz);
CREATE TABLE submissions (id int NOT NULL, user_id int NOT NULL, course_id int NOT NULL, title text, body text,
  attachment bytea, score numeric(5,2), feedback jsonb, submitted_at timestamptz);
-- Digests are incompressible: keep pglz from trying, move them out of line as they are.
ALTER TABLE submissions ALTER COLUMN attachment SET STORAGE EXTERNAL;

INSERT INTO institutions
  SELECT g, 'Institution ' || g || ' of ' || initcap(bench_words(2, g)), (ARRAY['DE','FR','US','JP','BR','IN','NG','AU'])[1 + g % 8],
         date '1850-01-01' + (hashint4(g) & 65535), jsonb_build_object('sso', g % 2 = 0, 'timezone', 'UTC+' || g % 12, 'plan', (ARRAY['basic','campus','enterprise'])[1 + g % 3])
  FROM generate_series(1, :institutions) g;

INSERT INTO users
  SELECT g, 1 + g % :institutions, 'user' || g || '@inst' || (1 + g % :institutions) || '.example.edu',
         initcap(bench_words(2, g + 1000000000)), bench_words(8 + g % 25, g),
         jsonb_build_object('theme', (ARRAY['dark','light','system'])[1 + g % 3], 'notifications', g % 3 = 0,
                            'lang', (ARRAY['en','de','fr','ja','pt'])[1 + g % 5], 'font_size', 10 + g % 8),
         timestamptz '2018-01-01 00:00:00+00' + (hashint4(g) & 2147483647) * interval '70 milliseconds',
         CASE WHEN g % 9 <> 0 THEN timestamptz '2024-01-01 00:00:00+00' + (hashint4(-g) & 2147483647) * interval '10 milliseconds' END
  FROM generate_series(1, :users) g;

INSERT INTO courses
  SELECT g, 1 + g % :institutions, upper(substr(md5(g::text), 1, 4)) || '-' || (100 + g % 900),
         initcap(bench_words(3 + g % 4, g + 2000000000)), bench_words(40 + g % 120, g + 3000000000),
         (1 + g % 10) / 2.0, date '2020-09-01' + (g % 1500), timestamptz '2019-01-01 00:00:00+00' + g * interval '37 minutes'
  FROM generate_series(1, :courses) g;

INSERT INTO enrollments
  SELECT u, bench_course(u, k, :courses), timestamptz '2021-09-01 00:00:00+00' + (hashint8(u * 8 + k) & 2147483647) * interval '40 milliseconds',
         (ARRAY['student','student','student','student','ta','auditor'])[1 + (u + k) % 6],
         CASE WHEN (u + k) % 4 <> 0 THEN (hashint8(u * 8 + k + 1) & 2147483647) % 10001 / 100.0 END
  FROM generate_series(1, :users) u, generate_series(0, 4) k;

INSERT INTO lesson_progress
  SELECT row_number() OVER (), e.user_id, e.course_id, l,
         (hashint8(e.user_id::bigint * 1048576 + e.course_id * 16 + l) & 2147483647) % 10001 / 100.0,
         (hashint8(e.user_id::bigint * 1048576 + e.course_id * 16 + l + 7) & 2147483647) % 7200,
         (e.user_id + l) % 3 = 0,
         e.enrolled_at + l * interval '2 days' + (hashint4(e.user_id + l) & 65535) * interval '1 second'
  FROM enrollments e, generate_series(1, 1 + (hashint8(e.user_id * 8 + e.course_id) & 2147483647) % 6) l;

INSERT INTO submissions
  SELECT g, u, bench_course(u, g % 5, :courses), initcap(bench_words(4, g + 4000000000)), bench_words(60 + g % 120, g + 5000000000),
         (SELECT string_agg(decode(md5(g || ':' || i), 'hex'), ''::bytea) FROM generate_series(1, 64) i),
         (hashint4(g) & 2147483647) % 10001 / 100.0,
         jsonb_build_object('grader', 'user' || (1 + g % 997), 'late', g % 11 = 0, 'rubric', jsonb_build_array(g % 5, g % 7, g % 3)),
         timestamptz '2023-01-01 00:00:00+00' + g * interval '97 seconds'
  FROM (SELECT g, 1 + (hashint4(g) & 2147483647) % :users AS u FROM generate_series(1, :submissions) g) s;

ALTER TABLE users ADD PRIMARY KEY (id), ADD UNIQUE (email);
ALTER TABLE courses ADD PRIMARY KEY (id);
ALTER TABLE enrollments ADD PRIMARY KEY (user_id, course_id);
ALTER TABLE lesson_progress ADD PRIMARY KEY (id);
ALTER TABLE submissions ADD PRIMARY KEY (id);
CREATE INDEX ON enrollments (course_id);
CREATE INDEX ON lesson_progress (user_id, course_id);
CREATE INDEX ON submissions (course_id, submitted_at);
ALTER TABLE users ADD FOREIGN KEY (institution_id) REFERENCES institutions;
ALTER TABLE courses ADD FOREIGN KEY (institution_id) REFERENCES institutions;
ALTER TABLE enrollments ADD FOREIGN KEY (user_id) REFERENCES users, ADD FOREIGN KEY (course_id) REFERENCES courses;
ALTER TABLE lesson_progress ADD FOREIGN KEY (user_id, course_id) REFERENCES enrollments;
ALTER TABLE submissions ADD FOREIGN KEY (user_id, course_id) REFERENCES enrollments;
COMMIT;
VACUUM (FREEZE, ANALYZE);
CHECKPOINT;
SQL
    "${psql[@]}" -d lms -At -F '|' -c "SELECT pg_database_size('lms'), pg_size_pretty(pg_database_size('lms')),
        round(100.0 * (SELECT sum(octet_length(attachment)) FROM submissions) / pg_database_size('lms'), 1)" |
        { IFS='|' read -r bytes pretty share
          echo "benchdb: database lms is $pretty ($bytes bytes, ${share}% incompressible bytea), built in $((SECONDS - start)) s"; }
}
