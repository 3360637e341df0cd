import Configuration
import EventBus
import ServiceDefaults

/// The event bus settings a deployment may tune (the defaults suit production):
///
/// | key (env) | meaning | default |
/// |---|---|---|
/// | `eventbus.reclaim.idle.seconds` (`EVENTBUS_RECLAIM_IDLE_SECONDS`) | how long an event a dead consumer read waits before another takes it | 30 |
/// | `eventbus.handling.lease.seconds` (`EVENTBUS_HANDLING_LEASE_SECONDS`) | how long a crashed handler run blocks a rerun | 60 |
func eventBusConfiguration(reader: ConfigReader, appID: String) throws(ConfigurationError) -> RedisStreamsEventBus.Configuration {
    RedisStreamsEventBus.Configuration(
        appID: appID, reclaimIdleTimeout: .seconds(max(1, try reader.count(forKey: "eventbus.reclaim.idle.seconds", default: 30))),
        handlingLeaseInSeconds: max(1, try reader.count(forKey: "eventbus.handling.lease.seconds", default: 60)))
}
