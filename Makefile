# Shortcuts for the two README commands (the scripts need no make).
.PHONY: run test
run:
	bash scripts/run.sh
test:
	bash scripts/test.sh
