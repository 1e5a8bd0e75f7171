# Shortcuts for the scripts the README names.
.PHONY: demo test check bench install mixin lint deb image

demo:
	bash scripts/demo.sh

test:
	bash scripts/test.sh

# Lint, build, the unit suites and the documentation's links: a few minutes, before a commit.
check:
	bash scripts/check.sh

bench:
	bash benchmarks/run.sh

install:
	bash scripts/install.sh

# alerts/, dashboards/ and deploy/kubernetes/prometheusrule.yaml from mixin/ (Debian's jsonnet).
mixin:
	bash scripts/render-mixin.sh

# jsonnetfmt --test and mixin/lint.py's rules, as node-mixin's `make lint` (also run by the tests).
lint:
	bash scripts/lint-mixin.sh

# dist/cassandra-backup-exporter_<version>_<arch>.deb (debhelper; DEB_VERSION overrides the version).
deb:
	bash scripts/make-deb.sh

# The container image cassandra-backup-exporter:<version>, with buildah, without a registry.
image:
	bash scripts/make-image.sh
