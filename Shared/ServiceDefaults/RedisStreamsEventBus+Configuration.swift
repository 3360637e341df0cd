import Configuration
import EventBus

extension RedisStreamsEventBus.Configuration {
    /// The event bus settings a deployment may tune (the defaults suit production), for the app
    /// `appID` (its consumer group):
    ///
    /// | key (env) | meaning | default |
    /// |---|---|---|
    /// | `eventbus.reclaim.idle.seconds` (`EVENTBUS_RECLAIM_IDLE_SECONDS`) | how long an event a dead consumer read waits before another takes it | 30 |
    /// | `eventbus.handling.lease.seconds` (`EVENTBUS_HANDLING_LEASE_SECONDS`) | how long a crashed handler run blocks a rerun | 60 |
    public init(reader: ConfigReader, appID: String) throws(ConfigurationError) {
        self.init(
            appID: appID, reclaimIdleTimeout: .seconds(max(1, try reader.count(forKey: "eventbus.reclaim.idle.seconds", default: 30))),
            handlingLeaseInSeconds: max(1, try reader.count(forKey: "eventbus.handling.lease.seconds", default: 60)))
    }
}
