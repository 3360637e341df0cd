import Foundation
import Configuration
import Logging

extension ConfigReader {
    /// The configuration every service reads, in priority order: command-line arguments
    /// (`--http-port 8080`), environment variables (`HTTP_PORT=8080`), a `.env` file in the working
    /// directory, then each setting's default. Values of keys ending in `password` are secrets:
    /// swift-configuration redacts them wherever it prints configuration.
    public static func service(arguments: [String] = CommandLine.arguments) async throws -> ConfigReader {
        let secrets = SecretsSpecifier<String, String>.dynamic { key, _ in key.lowercased().hasSuffix("password") }
        return ConfigReader(providers: [
            CommandLineArgumentsProvider(arguments: arguments, secretsSpecifier: secrets),
            EnvironmentVariablesProvider(secretsSpecifier: secrets),
            try await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true, secretsSpecifier: secrets),
        ])
    }

    /// Reads a TCP port, rejecting anything but an integer in 1…65535 with an error that names
    /// the environment variable.
    public func port(forKey key: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let text = string(forKey: ConfigKey(key)) else { return defaultValue }
        guard let port = Int(text.trimmingCharacters(in: .whitespaces)), (1...65_535).contains(port) else {
            throw ConfigurationError(variable: Self.variableName(key), problem: "is '\(text)': expected a port number 1…65535")
        }
        return port
    }

    /// Reads a non-negative integer, with an error naming the environment variable when malformed.
    public func count(forKey key: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        guard let text = string(forKey: ConfigKey(key)) else { return defaultValue }
        guard let value = Int(text.trimmingCharacters(in: .whitespaces)), value >= 0 else {
            throw ConfigurationError(variable: Self.variableName(key), problem: "is '\(text)': expected a whole number ≥ 0")
        }
        return value
    }

    /// Reads a log level (`trace` … `critical`).
    public func logLevel(forKey key: String = "log.level", default defaultValue: Logger.Level = .info) throws(ConfigurationError) -> Logger.Level {
        guard let text = string(forKey: ConfigKey(key)) else { return defaultValue }
        guard let level = Logger.Level(rawValue: text.lowercased()) else {
            let names = Logger.Level.allCases.map(\.rawValue).joined(separator: ", ")
            throw ConfigurationError(variable: Self.variableName(key), problem: "is '\(text)': expected one of \(names)")
        }
        return level
    }

    /// The environment variable that sets `key` (`redis.port` → `REDIS_PORT`).
    public static func variableName(_ key: String) -> String {
        key.uppercased().replacingOccurrences(of: ".", with: "_")
    }
}
