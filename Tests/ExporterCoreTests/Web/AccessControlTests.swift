@testable import ExporterCore
import Foundation
import PasswordHash
import Testing
import TestSupport

/// Who may read the metrics: basic auth against bcrypt hashes (each check remembered) and TLS
/// client certificates, as a ``WebConfig`` says.
@Suite struct AccessControlTests {
    @Test func basicCredentialsAreDecoded() {
        #expect(AccessControl.basicCredentials("Basic YWxpY2U6czNjcmV0")! == ("alice", "s3cret"))
        #expect(AccessControl.basicCredentials("basic YWxpY2U6YTpiOmM=")! == ("alice", "a:b:c"))
        #expect(AccessControl.basicCredentials("Bearer abc") == nil)
        #expect(AccessControl.basicCredentials("Basic !!!") == nil)
        #expect(AccessControl.basicCredentials("Basic YWxpY2U=") == nil)  // no colon
        #expect(AccessControl.basicCredentials(nil) == nil)
        // A password that starts with a combining mark (libFuzzer's find): the colon is still the separator.
        let combining = "Basic " + Data("alice:\u{301}pw".utf8).base64EncodedString()
        #expect(AccessControl.basicCredentials(combining)! == ("alice", "\u{301}pw"))
        // A NUL byte would end the C string bcrypt reads: `s3cret\0junk` must not pass as `s3cret`.
        for credentials in ["alice:s3cret\u{0}junk", "alice\u{0}x:s3cret"] {
            #expect(AccessControl.basicCredentials("Basic " + Data(credentials.utf8).base64EncodedString()) == nil)
        }
    }

    /// An unknown user is checked against a dummy hash of the configured users' cost, which bcrypt
    /// takes as long over as a real user's hash; no password matches it.
    @Test func unknownUsersCostWhatKnownUsersCost() {
        let cost5 = "$2y$05$" + String(WebConfigTests.hash.dropFirst(7))
        for (hashes, prefix) in [([cost5], "$2y$05$"), ([WebConfigTests.hash], "$2y$10$"), ([cost5, "$2b$12$" + String(cost5.dropFirst(7))], "$2y$12$"),
                                 ([], "$2y$10$")] {
            let dummy = AccessControl.dummyHash(costOf: hashes)
            #expect(dummy.hasPrefix(prefix) && dummy.count == 60, "\(hashes) -> \(dummy)")
        }
        #expect(!PasswordHash.matches(password: "", hash: AccessControl.dummyHash(costOf: [cost5])))
    }

    @Test func aPasswordWithANulByteIsRefused() {
        var config = WebConfig()
        config.users = ["alice": WebConfigTests.hash]
        let access = AccessControl(config: config)
        let header = "Basic " + Data("alice:s3cret\u{0}junk".utf8).base64EncodedString()
        #expect(settled(access.decide(authorization: header, certificate: .none)) == .unauthorized)
    }

    /// An edit that keeps a user's hash (a header added) keeps that user's remembered results, so
    /// the right scraper needs no bcrypt check and waits behind no flood after the edit.
    @Test func rememberedResultsSurviveAnEditThatKeepsTheHash() {
        var config = WebConfig()
        config.users = ["alice": WebConfigTests.hash]
        let access = AccessControl(config: config)
        let right = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
        let wrong = "Basic " + Data("alice:guess".utf8).base64EncodedString()
        #expect(settled(access.decide(authorization: right, certificate: .none)) == .allow)
        #expect(settled(access.decide(authorization: wrong, certificate: .none)) == .unauthorized)
        config.headers = [WebConfig.Header(name: "X-Frame-Options", value: "deny")]
        config.users["bob"] = WebConfigTests.hash
        access.update(config)
        #expect(access.decide(authorization: right, certificate: .none) == .allow)
        #expect(access.decide(authorization: wrong, certificate: .none) == .unauthorized)
    }

    /// The decision after running the bcrypt check when one is asked for.
    private func settled(_ decision: AccessControl.Decision) -> AccessControl.Decision {
        if case .verify(let check) = decision { return check.run() }
        return decision
    }

    @Test func bcryptRunsOncePerUserAndPasswordAndItsResultIsRemembered() throws {
        var config = WebConfig()
        config.users = ["alice": WebConfigTests.hash]
        let access = AccessControl(config: config)
        let right = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
        let wrong = "Basic " + Data("alice:guess".utf8).base64EncodedString()
        let unknown = "Basic " + Data("mallory:s3cret".utf8).base64EncodedString()
        #expect(access.decide(authorization: nil, certificate: .none) == .unauthorized)
        for header in [right, wrong, unknown] {
            guard case .verify = access.decide(authorization: header, certificate: .none) else {
                Issue.record("a password never seen needs bcrypt")
                continue
            }
        }
        #expect(settled(access.decide(authorization: right, certificate: .none)) == .allow)
        #expect(settled(access.decide(authorization: wrong, certificate: .none)) == .unauthorized)
        #expect(settled(access.decide(authorization: unknown, certificate: .none)) == .unauthorized)
        // Now remembered, right and wrong alike: no bcrypt for either.
        #expect(access.decide(authorization: right, certificate: .none) == .allow)
        #expect(access.decide(authorization: wrong, certificate: .none) == .unauthorized)
        #expect(access.decide(authorization: unknown, certificate: .none) == .unauthorized)
        // A new hash for the user: what was remembered for the old one does not apply.
        config.users = ["alice": "$2y$10$QOauhQNbBCuQDKes6eFzPeMqBSjb7Mr5DUmpZ/VcEd00UAV/LDeSi"]
        access.update(config)
        #expect(access.decide(authorization: right, certificate: .none) != .allow)
        #expect(settled(access.decide(authorization: right, certificate: .none)) == .unauthorized)
    }

    @Test func aCheckStartedUnderAnOldConfigurationIsNotRemembered() throws {
        var config = WebConfig()
        config.users = ["alice": WebConfigTests.hash]
        let access = AccessControl(config: config)
        let right = "Basic " + Data("alice:s3cret".utf8).base64EncodedString()
        guard case .verify(let check) = access.decide(authorization: right, certificate: .none) else {
            Issue.record("expected a bcrypt check")
            return
        }
        config.users = ["bob": WebConfigTests.hash]
        access.update(config)
        #expect(check.run() == .allow, "the check answers for the configuration it was made under")
        #expect(settled(access.decide(authorization: right, certificate: .none)) == .unauthorized)
    }

    @Test func clientCertificateRules() throws {
        var config = WebConfig()
        config.tls = try WebConfig.parse("tls_server_config:\n  cert_file: a\n  key_file: b\n  client_auth_type: RequireAndVerifyClientCert\n  client_ca_file: c\n",
                                         path: "w.yml").tls
        let access = AccessControl(config: config)
        #expect(access.decide(authorization: nil, certificate: .verified) == .allow)
        #expect(access.decide(authorization: nil, certificate: .none) == .forbidden)
        #expect(access.decide(authorization: nil, certificate: .invalid) == .forbidden)
        config.tls?.clientAuth = .verifyIfGiven
        access.update(config)
        #expect(access.decide(authorization: nil, certificate: .none) == .allow)
        #expect(access.decide(authorization: nil, certificate: .invalid) == .forbidden)
    }
}
