import Configuration
import Logging
import PostgresNIO
import RedisClient
import ServiceDefaults
import Testing

@Suite struct ConfigurationTests {
    /// The environment `environment` over Basket's service defaults, as `ConfigReader.service` orders them.
    private func reader(_ environment: [String: String]) -> ConfigReader {
        ConfigReader(providers: [
            EnvironmentVariablesProvider(environmentVariables: environment), InMemoryProvider.serviceDefaults(port: 5103, appID: "basket-api"),
        ])
    }

    @Test func readsTheServiceSettingsWithTheirDefaults() throws {
        let settings = try ServiceSettings(reader: reader([:]))
        #expect(settings.host == "127.0.0.1")
        #expect(settings.port == 5103)
        #expect(settings.appID == "basket-api")
        #expect(settings.logLevel == .info)
        #expect(settings.logFormat == .text)
        #expect(settings.applicationConfiguration.address == .hostname("127.0.0.1", port: 5103))
        #expect(settings.applicationConfiguration.serverName == "basket-api")
    }

    @Test func withoutServiceDefaultsTheAppIdIsRequired() {
        #expect {
            _ = try ServiceSettings(reader: ConfigReader(provider: EnvironmentVariablesProvider(environmentVariables: [:])))
        } throws: { error in
            "\(error)" == "invalid configuration: APP_ID is not set: expected the app id (ARCHITECTURE.md)"
        }
    }

    @Test func readsTheEnvironmentNamesOfTheArchitecture() throws {
        let settings = try ServiceSettings(
            reader: reader(["HTTP_HOST": "0.0.0.0", "HTTP_PORT": "8080", "APP_ID": "x", "LOG_LEVEL": "DEBUG", "LOG_FORMAT": "json"]))
        #expect(settings.host == "0.0.0.0")
        #expect(settings.port == 8080)
        #expect(settings.appID == "x")
        #expect(settings.logLevel == .debug)
        #expect(settings.logFormat == .json)
        #expect(settings.applicationConfiguration.address == .hostname("0.0.0.0", port: 8080))
        let redis = try RedisClient.Configuration(reader: reader(["REDIS_HOST": "cache", "REDIS_PORT": "6380", "REDIS_PASSWORD": "s3cret", "REDIS_DATABASE": "2"]))
        #expect(redis.host == "cache")
        #expect(redis.port == 6380)
        #expect(redis.password == "s3cret")
        #expect(redis.database == 2)
    }

    /// Every service's PostgreSQL pool is fixed (`useFixedPool(size:)`): `POSTGRES_POOL_SIZE`
    /// connections, 0 or unset for 4.
    @Test func sizesThePostgreSQLPool() throws {
        let byDefault = try PostgresClient.Configuration(reader: reader([:])).options
        #expect(byDefault.minimumConnections == 4)
        #expect(byDefault.maximumConnections == byDefault.minimumConnections)
        #expect(byDefault.keepAliveBehavior == nil)
        let sized = try PostgresClient.Configuration(reader: reader(["POSTGRES_POOL_SIZE": "9"])).options
        #expect(sized.minimumConnections == 9 && sized.maximumConnections == 9)
        #expect(try PostgresClient.Configuration(reader: reader(["POSTGRES_POOL_SIZE": "0"])).options.maximumConnections == byDefault.maximumConnections)
        #expect {
            _ = try PostgresClient.Configuration(reader: reader(["POSTGRES_POOL_SIZE": "-2"]))
        } throws: { error in
            "\(error)" == "invalid configuration: POSTGRES_POOL_SIZE is '-2': expected a whole number ≥ 0"
        }
    }

    @Test(arguments: [
        ("REDIS_PORT", "abc", "REDIS_PORT is 'abc': expected a port number 1…65535"),
        ("REDIS_PORT", "70000", "REDIS_PORT is '70000': expected a port number 1…65535"),
        ("HTTP_PORT", "0", "HTTP_PORT is '0': expected a port number 1…65535"),
        ("HTTP_PORT", " 8080", "HTTP_PORT is ' 8080': expected a port number 1…65535"),
        ("LOG_FORMAT", "xml", "LOG_FORMAT is 'xml': expected text or json"),
        ("LOG_LEVEL", "loud", "LOG_LEVEL is 'loud': expected one of trace, debug, info, notice, warning, error, critical"),
    ])
    func rejectsMalformedValuesNamingTheVariable(variable: String, value: String, message: String) {
        #expect {
            _ = try ServiceSettings(reader: reader([variable: value]))
            _ = try RedisClient.Configuration(reader: reader([variable: value]))
        } throws: { error in
            "\(error)" == "invalid configuration: \(message)"
        }
    }
}
