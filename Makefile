# The two commands of the README's quick start, and a few helpers.
.PHONY: setup demo test check lock eval bench clean

setup:
	@scripts/setup.sh

# Set up, then run crosswire on the bundled example articles.
demo: setup
	@rm -rf demo-output
	.venv/bin/crosswire run examples/ --outlet Wikinews --db demo-output/crosswire.duckdb --out demo-output
	@.venv/bin/crosswire stories --db demo-output/crosswire.duckdb
	@echo "events reported by two or more articles (merged across reports):"
	@.venv/bin/crosswire events --db demo-output/crosswire.duckdb --min-reports 2 --limit 30
	@echo "planned events:"
	@.venv/bin/crosswire events --db demo-output/crosswire.duckdb --status planned --limit 15
	@echo "demo: open demo-output/briefing.md, or: .venv/bin/crosswire serve --db demo-output/crosswire.duckdb"

# Set up (with test tools), check the code (dependencies match the imports, lint, types),
# then run the whole test suite.
test:
	@scripts/setup.sh test
	$(MAKE) --no-print-directory check
	.venv/bin/python -m pytest -q -ra

# The static checks alone (configured in pyproject.toml): deptry, ruff, mypy, and the layer
# contract (import-linter: docs/architecture.md).
check:
	.venv/bin/deptry .
	.venv/bin/ruff check .
	.venv/bin/mypy
	.venv/bin/lint-imports --no-cache --no-logo

# Regenerate requirements.lock from a fresh resolution (docs/decisions/lock-file.md).
lock:
	@scripts/lock.sh

eval: setup
	.venv/bin/crosswire eval seeds

clean:
	rm -rf demo-output .pytest_cache
