# The two commands of the README: `make run` and `make test`. Everything else is a helper.
PYTHON ?= python3
VENV := .venv
PY := $(VENV)/bin/python
PORT ?= 8000
export PORT
# `make run` listens on loopback only; HOST=0.0.0.0 make run opens it to the network (the technical 500
# page still goes to loopback clients only: mooc_platform.debug).
HOST ?= 127.0.0.1
export HOST

.PHONY: run test test-fast test-future test-citus bench lint install install-test browser assets pgbouncer kubectl xmlsec1 clean

$(VENV)/.installed: pyproject.toml
	$(PYTHON) -m venv $(VENV)
	$(PY) -m pip install --quiet --upgrade pip
	$(PY) -m pip install --quiet -e '.[dev]'
	touch $@

$(VENV)/.installed-test: $(VENV)/.installed pyproject.toml
	$(PY) -m pip install --quiet -e '.[dev,test]'
	touch $@

install: $(VENV)/.installed xmlsec1

install-test: $(VENV)/.installed-test browser assets pgbouncer kubectl xmlsec1

## Debian's xmlsec1: pysaml2 checks the signatures of SAML single sign-on with it (issue 17 item 1).
xmlsec1:
	@command -v xmlsec1 >/dev/null 2>&1 || { \
	  echo "installing Debian's xmlsec1 for SAML single sign-on"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq xmlsec1 >/dev/null; }

## Front-end packages from the npm registry, pinned by package-lock.json (`npm ci`, no install scripts): axe-core,
## which the browser tests inject into every page (tests/browser/test_every_page.py), and scorm-again, the SCORM
## runtime of the course player (issue 14 item 6). Nothing comes from a CDN. scorm-again's built file is vendored in
## courses/static/courses/vendor/ (committed, so `make run` and the production image need no npm): `make assets`
## copies it again from node_modules (without its source-map line), and tests/courses/scorm checks they match.
SCORM_AGAIN := courses/static/courses/vendor/scorm-again.min.js
assets: node_modules/.installed $(SCORM_AGAIN)

$(SCORM_AGAIN): node_modules/.installed
	mkdir -p $(dir $@)
	sed '/^\/\/# sourceMappingURL=/d' node_modules/scorm-again/dist/scorm-again.min.js > $@
	cp node_modules/scorm-again/LICENSE $(dir $@)scorm-again.LICENSE.txt

node_modules/.installed: package.json package-lock.json
	@command -v npm >/dev/null 2>&1 || { \
	  echo "installing Debian's npm for the front-end packages"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq npm >/dev/null; }
	npm ci --ignore-scripts --no-audit --no-fund --loglevel=error
	touch $@

## Debian's chromium for the Playwright browser tests (Playwright's own browser download is not used).
browser:
	@command -v chromium >/dev/null 2>&1 || { \
	  echo "installing Debian's chromium for the browser tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq chromium >/dev/null; }

## Debian's pgbouncer for the pooled-connection tests (tests/foundation/test_pgbouncer.py), installed like chromium.
pgbouncer:
	@command -v pgbouncer >/dev/null 2>&1 || test -x /usr/sbin/pgbouncer || { \
	  echo "installing Debian's pgbouncer for the connection-pooling tests"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq pgbouncer >/dev/null; }

## kubectl renders infra/k8s in a test (`kubectl kustomize`): Debian's kubernetes-client when kubectl is missing.
kubectl:
	@command -v kubectl >/dev/null 2>&1 || { \
	  echo "installing Debian's kubernetes-client (kubectl) for the manifests test"; \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq kubernetes-client >/dev/null; }

run: install
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m mooc_platform.devstack run

test: install-test
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m mooc_platform.devstack test -- $(PYTEST_ARGS)

## The inner loop: everything but the browser, Celery-worker and slow tests (markers set in tests/conftest.py).
## No Chromium needed. `make test-fast PYTEST_ARGS="--lf"` re-runs what failed last time.
test-fast: $(VENV)/.installed-test kubectl
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" $(PY) -m mooc_platform.devstack test -- -m "not browser and not worker and not slow" $(PYTEST_ARGS)

## The whole suite again with every process's clock (Python, PostgreSQL, the worker) moved FUTURE_DAYS ahead
## by Debian's libfaketime: no test may depend on today's date. CI runs it after `make test`, on a new test
## database (what the first run committed, e.g. users of transactional tests, must not fill seats).
FUTURE_DAYS ?= 400
test-future: install-test
	@command -v faketime >/dev/null 2>&1 || { \
	  if [ "$$(id -u)" = 0 ]; then SUDO=; else SUDO=sudo; fi; \
	  $$SUDO apt-get update -qq && DEBIAN_FRONTEND=noninteractive $$SUDO apt-get install -y -qq faketime >/dev/null; }
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" faketime -f '+$(FUTURE_DAYS)d' $(PY) -m mooc_platform.devstack test -- --create-db $(PYTEST_ARGS)

## Issue 16: the foundation, tenants and isolation tests, and tests/citus (placement, provisioning, a schema moved
## between workers while a client reads and writes it), on a three-node Citus cluster on loopback (infra/citus/:
## built from ../shared/vendor/citus-13.2.2.tar.gz when citus.so is missing, kept in .var/citus/, stopped after).
## The cluster's test database is reused between runs; `python3 infra/citus/cluster.py destroy` starts afresh.
CITUS_TESTS ?= tests/citus tests/foundation tests/tenants tests/isolation
test-citus: install-test
	$(PYTHON) infra/citus/cluster.py start
	PATH="$(CURDIR)/$(VENV)/bin:$$PATH" DATABASE_URL="$$($(PYTHON) infra/citus/cluster.py url)" MOOC_CITUS=1 \
	  $(PY) -m mooc_platform.devstack test -- --reuse-db $(CITUS_TESTS) $(PYTEST_ARGS); \
	  status=$$?; $(PYTHON) infra/citus/cluster.py stop; exit $$status

## Every benchmark, each printing its comparison table (on a scratch database `mooc_bench`) and keeping it in
## bench/results/<name>.md. The latency-sensitive ones run first; migrations (the stock command over 1,000 tenants
## takes tens of minutes) last. `make bench BENCHES="scale load"` runs a few. (bench/plain*.py and _setup.py are
## modules of the others, not benchmarks; bench/spread_profile.py is a diagnostic run by hand.)
BENCHES ?= tenancy provisioning scale load lifecycle billing migrations
bench: install-test
	for name in $(BENCHES); do echo "== bench/$$name.py"; $(PY) bench/$$name.py || exit 1; done

lint: install-test
	$(VENV)/bin/ruff check .

clean:
	-$(PY) -m mooc_platform.devstack pg stop
	rm -rf .var
