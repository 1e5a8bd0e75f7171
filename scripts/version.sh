#!/usr/bin/env bash
# Prints the exporter's version, as Version.swift gives it to --version.
sed -n 's/.*BuildInfo(version: "\([^"]*\)".*/\1/p' "$(dirname "$0")/../Sources/ExporterCore/Support/Version.swift"
