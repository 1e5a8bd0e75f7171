# Shortcuts for the scripts the README names.
.PHONY: demo test bench

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	bash benchmarks/run.sh
