import Foundation

/// Whether the tests run as root: tests that become another user (`setpriv`) need it, and are
/// reported as skipped otherwise.
public let runsAsRoot = getuid() == 0

/// Whether the tests may change this machine beyond its test dependencies (install and purge the
/// project's .deb, build an image into buildah's storage): only with `TEST_CHANGES_MACHINE=1`,
/// which CI (`.ci/run`) sets; otherwise those tests are reported as skipped.
public let mayChangeThisMachine = runsAsRoot && ProcessInfo.processInfo.environment["TEST_CHANGES_MACHINE"] == "1"
