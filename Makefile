# The two commands of the README: `make run` and `make test`. Both set up first.
.PHONY: setup run test lint clean

setup:
	@scripts/setup.sh

run: setup
	@.venv/bin/uclab run

test: setup
	@scripts/test.sh

lint: setup
	@scripts/test.sh --lint-only

clean:
	@.venv/bin/uclab clean
