import CBcrypt

/// Password checks against crypt(3) hashes, as in exporter-toolkit's `basic_auth_users`.
public enum PasswordHash {
    /// Whether `password` matches `hash` (bcrypt `$2a$`, `$2b$`, `$2y$`), through libxcrypt's
    /// `crypt_r`, compared in constant time. Slow by design: bcrypt's cost factor.
    public static func matches(password: String, hash: String) -> Bool {
        CBcrypt_passwordMatches(password, hash) == 1
    }
}
