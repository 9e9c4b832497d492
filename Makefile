# civitas — see README.md. `make run` and `make test` are the two entry points.
PREFIX ?= /usr/local
DESTDIR ?=
CC ?= cc
PKGS = libpq hiredis jansson ctpl libsodium vips libcmark
# donations (issue 10): Paybox's signatures and its cancellation call
PKGS += libcurl libcrypto
# tax receipts (issue 10, infra/receipt.c): PDF through cairo and pango
PKGS += cairo pangocairo
# admin accounts (issue 13, infra/qr.c): the enrolment's QR code
PKGS += libqrencode
O ?= build
SANITIZE ?=
OPT ?= -O2
# CHECKS=1 (the default, and what the tests run): every statement's
# declaration is checked against PostgreSQL at connect (infra/sql.h).
CHECKS ?= 1

# Tables (routes, forms, resources) leave their trailing fields to zero.
WARN = -Wall -Wextra -Wshadow -Wformat=2 -Wvla -Wno-format-nonliteral \
	-Wno-missing-field-initializers -Werror
CFLAGS ?= $(OPT) -g
ALL_CFLAGS = -std=gnu11 $(WARN) $(CFLAGS) $(SANITIZE) -MMD -MP \
	-DCIVITAS_DEFAULT_ROOT='"$(PREFIX)/share/civitas"' \
	$(if $(filter 1,$(CHECKS)),-DCIVITAS_CHECKS) \
	$(shell pkg-config --cflags $(PKGS) 2>/dev/null) -I/usr/include/hiredis
LIBS = -lfcgi $(shell pkg-config --libs $(PKGS) 2>/dev/null)

-include Makefile.local

# The layers, lowest first (README, "Layers"; make check-layers): core
# (pure modules, plus the worker loop and the master, which need libfcgi),
# infra, features, then the entry points.
WORKER = app/core/server.c app/core/master.c
CORE = $(filter-out $(WORKER),$(wildcard app/core/*.c))
INFRA = $(wildcard app/infra/*.c)
FEATURES = $(wildcard app/features/*.c)
FCGI_SRC = app/main.c $(WORKER) $(CORE) $(INFRA) $(FEATURES)
MAILER_SRC = $(wildcard app/jobs/*.c) $(CORE) app/infra/sql.c app/infra/db.c \
	app/infra/crypto.c
# missions (issue 11, part B): the scheduled completion, hourly
MAILER_SRC += app/infra/mission_complete.c
UNIT_SRC = $(wildcard test/unit/*.c) $(CORE) app/infra/crypto.c \
	app/infra/markdown.c app/infra/db.c app/infra/sql.c

obj = $(patsubst %.c,$(O)/obj/%.o,$(1))

.PHONY: all run stop test bench fuzz asan admin deps install clean unit \
	assets check-deps check-layers check-sql cluster cluster-stop cluster-test
all: $(O)/civitas-fcgi $(O)/civitas-mailer assets

$(O)/obj/%.o: %.c
	@mkdir -p $(dir $@)
	@echo "CC $<"
	@$(CC) $(ALL_CFLAGS) -c -o $@ $<

$(O)/civitas-fcgi: $(call obj,$(FCGI_SRC))
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS)

$(O)/civitas-mailer: $(call obj,$(MAILER_SRC))
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS)

$(O)/argon2-rate: $(call obj,test/bench/argon2_rate.c app/infra/crypto.c \
	app/core/parse.c app/core/arena.c app/core/xalloc.c app/core/log.c)
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS) -lpthread

$(O)/unit-tests: $(call obj,$(UNIT_SRC))
	$(CC) $(SANITIZE) -o $@ $^ $(LIBS)

# Templates and fingerprinted static files, laid out as installed:
# $(O)/share/views and $(O)/share/public (the nginx root).
assets:
	@scripts/assets.sh $(O)/share

unit: $(O)/unit-tests
	$(O)/unit-tests

# The layers point one way (README, "Layers"): includes and the symbols of
# the built objects. make test runs it (suite "checks").
check-layers: $(call obj,$(sort $(FCGI_SRC) $(MAILER_SRC)))
	@scripts/check-source.py layers $(O)/obj

# Every statement declared in app/infra/sql_*.def, every column named.
check-sql:
	@scripts/check-source.py sql

deps:
	scripts/deps.sh

run: deps all
	scripts/run.sh

stop:
	scripts/stack.sh stop var

test: deps
	scripts/test.sh

bench: deps all $(O)/argon2-rate
	scripts/bench.sh

# issue 13, part 7: the announcement replayed (the launch night's mix,
# ramped until the machine saturates, then degraded mode on).
.PHONY: bench-launch
bench-launch: deps all
	scripts/bench-launch.sh

fuzz: deps
	scripts/fuzz.sh run

asan: deps
	ASAN=1 scripts/test.sh

admin: all
	@test -n "$(EMAIL)" || { echo "usage: make admin EMAIL=... PASSWORD=..."; exit 2; }
	@PASSWORD='$(PASSWORD)' scripts/stack.sh admin var '$(EMAIL)'

# issue 13, many hosts: the namespace cluster (scripts/cluster.sh; root)
cluster: deps all
	scripts/cluster.sh start var/cluster

cluster-stop:
	scripts/cluster.sh stop var/cluster

cluster-test: deps all
	scripts/cluster.sh test

install: all
	install -d $(DESTDIR)$(PREFIX)/bin $(DESTDIR)$(PREFIX)/share/civitas
	install -m 755 $(O)/civitas-fcgi $(O)/civitas-mailer $(DESTDIR)$(PREFIX)/bin/
	cp -R $(O)/share/views $(O)/share/public $(DESTDIR)$(PREFIX)/share/civitas/
	install -d $(DESTDIR)$(PREFIX)/share/civitas/sql
	cp -R sql/* $(DESTDIR)$(PREFIX)/share/civitas/sql/

clean:
	rm -rf $(O) build-asan build-fuzz

-include $(shell find $(O)/obj -name '*.d' 2>/dev/null)
