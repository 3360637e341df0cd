import Foundation
import Configuration
import Logging

extension ConfigReader {
    /// The configuration a service reads, in priority order: command-line arguments
    /// (`--http-port 8080`), environment variables (`HTTP_PORT=8080`), a `.env` file in the working
    /// directory, then the service's own defaults (``InMemoryProvider/serviceDefaults(port:appID:)``),
    /// then each setting's default. Values of keys ending in `password` are secrets:
    /// swift-configuration redacts them wherever it prints configuration.
    public static func service(port: Int, appID: String, arguments: [String] = CommandLine.arguments) async throws -> ConfigReader {
        try await service(defaults: .serviceDefaults(port: port, appID: appID), arguments: arguments)
    }

    /// The same providers as ``service(port:appID:arguments:)``, with `defaults` last (none for
    /// a tool that serves no HTTP).
    public static func service(defaults: InMemoryProvider = InMemoryProvider(values: [:]), arguments: [String] = CommandLine.arguments) async throws -> ConfigReader {
        let secrets = SecretsSpecifier<String, String>.dynamic { key, _ in key.lowercased().hasSuffix("password") }
        return ConfigReader(providers: [
            CommandLineArgumentsProvider(arguments: arguments, secretsSpecifier: secrets),
            EnvironmentVariablesProvider(secretsSpecifier: secrets),
            try await EnvironmentVariablesProvider(environmentFilePath: ".env", allowMissing: true, secretsSpecifier: secrets),
            defaults,
        ])
    }

    /// Reads a TCP port, rejecting anything but an integer in 1…65535 with an error that names
    /// the environment variable. Text (the environment, arguments) and integers (in-memory
    /// defaults) are both read.
    public func port(forKey key: String, default defaultValue: Int) throws(ConfigurationError) -> Int {
        if let text = string(forKey: ConfigKey(key)) {
            guard let port = Int(text), (1...65_535).contains(port) else {
                throw ConfigurationError(variable: Self.variableName(key), problem: "is '\(text)': expected a port number 1…65535")
            }
            return port
        }
        let port = int(forKey: ConfigKey(key)) ?? defaultValue
        guard (1...65_535).contains(port) else {
            throw ConfigurationError(variable: Self.variableName(key), problem: "is \(port): expected a port number 1…65535")
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

extension InMemoryProvider {
    /// A service's own defaults, the last provider of its reader: its port (`http.port`, an
    /// integer, as Hummingbird's `ApplicationConfiguration(reader:)` reads it) and app id
    /// (`app.id`), both from ARCHITECTURE.md.
    public static func serviceDefaults(port: Int, appID: String) -> InMemoryProvider {
        InMemoryProvider(name: "service defaults", values: ["http.port": .init(.int(port), isSecret: false), "app.id": .init(.string(appID), isSecret: false)])
    }
}
