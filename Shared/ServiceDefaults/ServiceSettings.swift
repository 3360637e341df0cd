import Configuration
import Hummingbird
import Logging

/// The settings every service shares, read once at start-up.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `http.host` (`HTTP_HOST`) | string | `127.0.0.1` |
/// | `http.port` (`HTTP_PORT`) | port | the service's own port (ARCHITECTURE.md) |
/// | `app.id` (`APP_ID`) | string | the service's app id |
/// | `log.level` (`LOG_LEVEL`) | trace…critical | `info` |
/// | `log.format` (`LOG_FORMAT`) | `text` \| `json` | `text` |
public struct ServiceSettings: Sendable {
    public var host: String
    public var port: Int
    public var appID: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat

    public init(reader: ConfigReader, defaultPort: Int, defaultAppID: String) throws(ConfigurationError) {
        host = reader.string(forKey: "http.host", default: "127.0.0.1")
        port = try reader.port(forKey: "http.port", default: defaultPort)
        appID = reader.string(forKey: "app.id", default: defaultAppID)
        logLevel = try reader.logLevel()
        let format = reader.string(forKey: "log.format", default: "text")
        guard let logFormat = LogFormat(rawValue: format.lowercased()) else {
            throw ConfigurationError(variable: "LOG_FORMAT", problem: "is '\(format)': expected text or json")
        }
        self.logFormat = logFormat
    }

    /// Hummingbird's server configuration for these settings.
    public var applicationConfiguration: ApplicationConfiguration {
        ApplicationConfiguration(address: .hostname(host, port: port), serverName: appID)
    }
}
