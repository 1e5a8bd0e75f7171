# The unit test suites: every module's own tests, without the end-to-end and packaging ones
# (sourced by scripts/check.sh and scripts/sanitizers.sh).
unit_suites="BackupScanTests|ExpositionTests|ExporterCoreTests|MicroHTTPDTests|PasswordHashTests|YAMLTreeTests"
