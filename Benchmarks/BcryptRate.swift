import Foundation
import HummingbirdBcrypt
import NIOPosix

/// How many bcrypt verifications per second the machine manages on NIO's thread pool (one per core).
enum BcryptRate {
    static func verificationsPerSecond(cost: UInt8, seconds: Int) async throws -> Double {
        let hash = Bcrypt.hash("Pass123$", cost: cost)
        let deadline = ContinuousClock.now + .seconds(seconds)
        let start = ContinuousClock.now
        let workers = ProcessInfo.processInfo.activeProcessorCount
        let total = try await withThrowingTaskGroup(of: Int.self) { group in
            for _ in 0..<workers {
                group.addTask {
                    var count = 0
                    while ContinuousClock.now < deadline {
                        _ = try await NIOThreadPool.singleton.runIfActive { Bcrypt.verify("Pass123$", hash: hash) }
                        count += 1
                    }
                    return count
                }
            }
            return try await group.reduce(0, +)
        }
        return Double(total) / (ContinuousClock.now - start).seconds
    }
}
