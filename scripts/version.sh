#!/usr/bin/env bash
# Prints the exporter's version: the one place it is written is Sources/ExporterCore/Support/BuildInfo+Current.swift
# (what --version prints); the .deb, the image labels and the tests take it from here.
sed -n 's/.*BuildInfo(version: "\([^"]*\)".*/\1/p' "$(dirname "$0")/../Sources/ExporterCore/Support/BuildInfo+Current.swift"
