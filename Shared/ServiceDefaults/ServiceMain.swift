import Foundation

/// The top of every executable: runs `body`, and when it fails prints exactly one line naming
/// the problem to standard error and exits with status 1 — no crash trace, no hang.
///
/// ```swift
/// @main struct App {
///     static func main() async {
///         await ServiceMain.run("basket-api") { try await buildApplication(reader: .service()).runService() }
///     }
/// }
/// ```
public enum ServiceMain {
    public static func run(_ name: String, _ body: @Sendable () async throws -> Void) async {
        do {
            try await body()
        } catch {
            FileHandle.standardError.write(Data("\(name): error: \(oneLine(error))\n".utf8))
            exit(1)
        }
    }

    /// An error's description folded onto one line.
    public static func oneLine(_ error: any Error) -> String {
        "\(error)".split(whereSeparator: \.isNewline).joined(separator: " ")
    }
}
