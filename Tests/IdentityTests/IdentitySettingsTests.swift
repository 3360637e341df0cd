import Testing

@testable import Identity

/// Passwords are set through configuration for the seed users: what bcrypt cannot verify
/// faithfully stops the start, naming the variable, instead of being stored truncated.
@Suite struct IdentitySettingsTests {
    @Test(arguments: [
        ("Pass123$\0suffix", "IDENTITY_BOB_PASSWORD contains a NUL character, which bcrypt cannot verify"),
        (String(repeating: "a", count: 73), "IDENTITY_BOB_PASSWORD is 73 bytes in UTF-8: bcrypt verifies at most 72"),
        (String(repeating: "é", count: 37), "IDENTITY_BOB_PASSWORD is 74 bytes in UTF-8: bcrypt verifies at most 72"),
    ])
    func refusesSeedPasswordsBcryptWouldTruncate(password: String, message: String) {
        #expect {
            _ = try IdentityFixture.settings(["IDENTITY_BOB_PASSWORD": password])
        } throws: { error in
            "\(error)" == "invalid configuration: \(message)"
        }
    }

    @Test func acceptsAPasswordOfExactly72Bytes() throws {
        let settings = try IdentityFixture.settings(["IDENTITY_BOB_PASSWORD": String(repeating: "é", count: 36)])
        #expect(settings.seedUsers.first { $0.userName == "bob" }?.password.utf8.count == 72)
    }
}
