import Foundation
import PasswordHash
import Testing
import TestSupport

/// The password check on its own, against hashes made by other tools: Apache's `htpasswd`
/// (bcrypt `$2y$`) and the published crypt_blowfish test vectors (`$2a$`).
@Suite struct PasswordHashTests {
    private func matches(_ password: String, _ hash: String) -> Bool {
        PasswordHash.matches(password: password, hash: hash)
    }

    /// crypt_blowfish 1.3's own test vectors (wrapper.c), the reference for `$2a$`.
    @Test(arguments: [
        ("U*U", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.E5YPO9kmyuRGyh0XouQYb4YMJKvyOeW"),
        ("U*U*", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.VGOzA784oUp/Z0DY336zx7pLYAy0lwK"),
        ("", "$2a$05$CCCCCCCCCCCCCCCCCCCCC.7uG0VCzI2bS7j6ymqJi9CdcdxiRTWNy"),
    ])
    func publishedVectorsMatch(password: String, hash: String) {
        #expect(matches(password, hash))
        #expect(!matches(password + "x", hash))
    }

    @Test func htpasswdHashesMatchOnlyTheirPassword() throws {
        for (password, cost) in [("s3cret", "4"), ("pässwörd with spaces", "5"), ("a:b:c", "10")] {
            let line = try Command.output("htpasswd", ["-nbBC", cost, "u", password]).trimmingCharacters(in: .whitespacesAndNewlines)
            let hash = String(line.split(separator: ":", maxSplits: 1)[1])
            #expect(hash.hasPrefix("$2y$"))
            #expect(matches(password, hash), "\(password) against its own hash")
            #expect(!matches(String(password.dropLast()), hash))
            #expect(!matches(password.uppercased() == password ? password.lowercased() : password.uppercased(), hash))
            #expect(!matches("", hash))
            // One character of the hash changed, the hash cut short: no match.
            var altered = Array(hash)
            altered[altered.count - 1] = altered.last == "a" ? "b" : "a"
            #expect(!matches(password, String(altered)))
            #expect(!matches(password, String(hash.dropLast(5))))
        }
    }

    @Test func unusableHashesNeverMatch() {
        for hash in ["", "*", "*0", "$2y$", "$2y$99$abcdefghijklmnopqrstuv", "not a hash", "$2y$10$" + String(repeating: "!", count: 53)] {
            #expect(!matches("", hash), "\(hash)")
            #expect(!matches("anything", hash), "\(hash)")
        }
    }
}
