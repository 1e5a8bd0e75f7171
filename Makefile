# Shortcuts for the scripts the README names.
.PHONY: demo test bench install

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

bench:
	bash benchmarks/run.sh

install:
	bash scripts/install.sh
