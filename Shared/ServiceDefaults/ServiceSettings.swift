import Configuration
import Hummingbird
import Logging

/// The settings every service shares, read once at start-up.
///
/// | key (env) | type | default |
/// |---|---|---|
/// | `http.host` (`HTTP_HOST`) | string | `127.0.0.1` |
/// | `http.port` (`HTTP_PORT`) | port | the service's own port (ARCHITECTURE.md), from the reader's defaults |
/// | `app.id` (`APP_ID`) | string | the service's app id, from the reader's defaults |
/// | `log.level` (`LOG_LEVEL`) | trace…critical | `info` |
/// | `log.format` (`LOG_FORMAT`) | `text` \| `json` | `text` |
public struct ServiceSettings: Sendable {
    public var host: String
    public var port: Int
    public var appID: String
    public var logLevel: Logger.Level
    public var logFormat: LogFormat
    /// Hummingbird's server configuration, read by Hummingbird from the `http.` keys
    /// (`ApplicationConfiguration(reader:)`), with ``appID`` as the `Server` header.
    public var applicationConfiguration: ApplicationConfiguration

    /// Reads the settings; `http.port` and `app.id` come from the reader's service defaults
    /// (``ConfigReader/service(port:appID:arguments:)``) unless set. Without either, the port is
    /// Hummingbird's default (8080) and ``appID`` is required.
    public init(reader: ConfigReader) throws(ConfigurationError) {
        host = reader.string(forKey: "http.host", default: "127.0.0.1")
        port = try reader.port(forKey: "http.port", default: 8080)
        guard let appID = reader.string(forKey: "app.id"), !appID.isEmpty else {
            throw ConfigurationError(variable: "APP_ID", problem: "is not set: expected the app id (ARCHITECTURE.md)")
        }
        self.appID = appID
        logLevel = try reader.logLevel()
        let format = reader.string(forKey: "log.format", default: "text")
        guard let logFormat = LogFormat(rawValue: format.lowercased()) else {
            throw ConfigurationError(variable: "LOG_FORMAT", problem: "is '\(format)': expected text or json")
        }
        self.logFormat = logFormat
        applicationConfiguration = ApplicationConfiguration(reader: reader.scoped(to: "http"))
        applicationConfiguration.serverName = appID
    }
}
