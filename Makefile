# posapp — the two commands a newcomer needs: `make run` and `make test`.
PYTHON ?= python3
VENV := .venv
BIN := $(VENV)/bin

.PHONY: run test bench screenshots package package-test venv clean

# Opens the posapp window in local mode (no AWS account or database server needed). Without
# a screen it says so at once, before any setup; it installs only what running needs.
run:
	@$(PYTHON) -m posapp.ui.display
	@$(MAKE) --no-print-directory $(VENV)/.installed-run
	$(BIN)/posapp

# Sets everything up and runs the whole test suite, in TEST_WORKERS processes (pytest-xdist; each
# starts its own MariaDB and moto server): most tests wait on a subprocess or a server, so two
# workers keep two CPUs busy where one leaves them half idle. TEST_WORKERS=0 runs them in this process.
TEST_WORKERS ?= 2
test: $(VENV)/.installed-test
	scripts/system-deps test
	$(BIN)/python -m pytest -n $(TEST_WORKERS) $(PYTEST_ARGS)

# Benchmarks (not tests): ratios measured side by side; results in $$BENCH_OUT or bench/results.json.
# Each starts and stops what it needs (a moto server, a private MariaDB).
bench: $(VENV)/.installed-test
	scripts/system-deps test
	rm -f "$${BENCH_OUT:-bench/results.json}"
	$(BIN)/python bench/history_paging.py
	$(BIN)/python bench/export.py
	$(BIN)/python bench/sales.py
	$(BIN)/python bench/sealed.py
	$(BIN)/python bench/paid_sales.py
	$(BIN)/python bench/rekey.py
	$(BIN)/python bench/audit_verify.py
	$(BIN)/python bench/day_report.py
	$(BIN)/python bench/pci_scan.py
	$(BIN)/python bench/gui_start.py

# Renders every screen with a demo till's data into docs/screenshots/ (for the README), once per
# till screen size, each on its own virtual screen of that size (Xvfb); fails if any screen did.
SCREEN_SIZES := 1024x768 1366x768
screenshots: $(VENV)/.installed-test
	scripts/system-deps screenshots
	for size in $(SCREEN_SIZES); do \
		xvfb-run -a -s "-screen 0 $${size}x24" env QT_QPA_PLATFORM=xcb $(BIN)/python scripts/screenshots.py \
			|| exit 1; \
	done

# The installer: a PyInstaller bundle, smoke-tested, wrapped into dist/posapp_VERSION_amd64.deb.
package: $(VENV)/.installed-package
	rm -rf build/dist/posapp dist/posapp_*.deb
	$(BIN)/pyinstaller --noconfirm --clean --log-level WARN --distpath build/dist --workpath build/work \
		packaging/posapp.spec
	POSAPP_BUNDLE=build/dist/posapp $(BIN)/python -m pytest -q -p no:cacheprovider packaging/test_package.py
	packaging/build-deb build/dist/posapp "$$($(BIN)/python -c 'import importlib.metadata as m; print(m.version("posapp"))')" dist
	@du -sh --apparent-size build/dist/posapp dist/posapp_*.deb

# The .deb as a till gets it: unpacked with dpkg-deb -x, started, one sale, scanned for the card.
package-test: package
	POSAPP_DEB="$$(ls dist/posapp_*_amd64.deb)" $(BIN)/python -m pytest -q -p no:cacheprovider packaging/test_package.py

venv: $(VENV)/.installed-test

$(VENV)/.installed-package: $(VENV)/.installed-test
	$(BIN)/python -m pip install --quiet -e '.[test,package]'
	touch $@

# Running needs posapp and the Qt libraries of a desktop; the tests add their tools and a
# MariaDB server. Each stamp installs only its own.
$(VENV)/.installed-run: pyproject.toml
	scripts/system-deps gui
	$(MAKE) --no-print-directory $(BIN)/python
	$(BIN)/python -m pip install --quiet -e .
	touch $@

$(VENV)/.installed-test: pyproject.toml
	scripts/system-deps test
	$(MAKE) --no-print-directory $(BIN)/python
	$(BIN)/python -m pip install --quiet -e '.[test]'
	touch $@

$(BIN)/python:
	$(PYTHON) -m venv $(VENV)
	$(BIN)/python -m pip install --quiet --upgrade pip

clean:
	rm -rf $(VENV) build dist *.egg-info .pytest_cache
