import Foundation
import Subprocess
import TestSupport

/// A service's `GET /metrics`, judged by prometheus_client's parser (Tests/PrometheusText, in the
/// venv scripts/test makes: `PROMETHEUS_TEXT_PYTHON`).
struct PrometheusText: Sendable {
    /// The venv's python; `nil` outside scripts/test.
    static let python = ProcessInfo.processInfo.environment["PROMETHEUS_TEXT_PYTHON"]
    static let parser = URL(fileURLWithPath: #filePath).deletingLastPathComponent()
        .deletingLastPathComponent().appendingPathComponent("PrometheusText/parse_metrics.py").path

    struct Sample: Decodable, Sendable {
        var name: String
        var labels: [String: String]
        var value: Double

        init(from decoder: any Decoder) throws {
            var fields = try decoder.unkeyedContainer()
            name = try fields.decode(String.self)
            labels = try fields.decode([String: String].self)
            value = try fields.decode(Double.self)
        }
    }

    struct Family: Decodable, Sendable {
        var type: String
        var samples: [Sample]
    }

    /// Metric families by name (a counter's without `_total`, as the parser names them).
    let families: [String: Family]

    /// Scrapes `baseURL/metrics`; throws unless it answers 200 with Prometheus text the parser accepts.
    static func scrape(_ baseURL: String) async throws -> PrometheusText {
        let answer = try await HTTP.send(.GET, baseURL + "/metrics")
        guard answer.status == .ok, answer.headers.first(name: "Content-Type") == "text/plain; version=0.0.4; charset=utf-8" else {
            throw EndToEndError("GET \(baseURL)/metrics: \(answer.status.code) \(answer.headers)")
        }
        return try await parse(answer.body, from: baseURL)
    }

    static func parse(_ text: [UInt8], from source: String) async throws -> PrometheusText {
        guard let python else { throw EndToEndError("PROMETHEUS_TEXT_PYTHON is not set (scripts/test sets it)") }
        let file = FileManager.default.temporaryDirectory.appendingPathComponent("metrics-\(UUID().uuidString).txt")
        try Data(text).write(to: file)
        defer { try? FileManager.default.removeItem(at: file) }
        let (printed, status) = try await TestProcess.run([python, parser, file.path])
        guard status == .exited(0), let json = printed.first(where: { $0.hasPrefix("{") }) else {
            throw EndToEndError("\(source)/metrics: \(printed.joined(separator: "\n"))")
        }
        return PrometheusText(families: try JSONDecoder().decode([String: Family].self, from: Data(json.utf8)))
    }

    /// Every sample named `name` whose labels include `labels`.
    func samples(_ name: String, _ labels: [String: String] = [:]) -> [Sample] {
        families.values.flatMap(\.samples).filter { sample in
            sample.name == name && labels.allSatisfy { sample.labels[$0.key] == $0.value }
        }
    }

    /// The sum of those samples; 0 when there are none (a series appears on its first use).
    func value(_ name: String, _ labels: [String: String] = [:]) -> Double {
        samples(name, labels).reduce(0) { $0 + $1.value }
    }
}
