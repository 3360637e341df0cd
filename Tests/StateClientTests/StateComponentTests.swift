import Foundation
import StateClient
import Testing

@Suite struct StateComponentTests {
    private func write(_ files: [String: String]) throws -> String {
        let folder = FileManager.default.temporaryDirectory.appendingPathComponent("components-\(UUID().uuidString)").path
        try FileManager.default.createDirectory(atPath: folder, withIntermediateDirectories: true)
        for (name, text) in files { try text.write(toFile: folder + "/" + name, atomically: true, encoding: .utf8) }
        return folder
    }

    @Test func loadsDaprComponentFilesWithEnvironmentReferences() throws {
        let folder = try write([
            "statestore.yaml": """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata:
                  name: statestore
                spec:
                  type: state.redis
                  version: v1
                  metadata:
                  - name: redisHost
                    value: localhost:6379
                  - name: redisPassword
                    envRef: TEST_REDIS_PASSWORD
                  - name: redisDB
                    value: 0
                  - name: actorStateStore
                    value: "true"
                """,
            "orderstore.yml": """
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata: {name: orderstore}
                spec:
                  type: state.postgresql
                  metadata:
                  - {name: connectionString, value: "host=localhost user=postgres"}
                  - {name: cleanupInterval, value: 1h30m}
                ---
                apiVersion: dapr.io/v1alpha1
                kind: Component
                metadata: {name: scratch}
                spec: {type: state.in-memory}
                """,
            "README.md": "not a component",
        ])
        let components = try StateComponent.loadAll(from: folder, environment: ["TEST_REDIS_PASSWORD": "s3cret"])
        #expect(components.map(\.name) == ["orderstore", "scratch", "statestore"])
        let redis = try #require(components.last)
        #expect(redis.type == "state.redis")
        #expect(redis.metadata["redisPassword"] == "s3cret")
        #expect(try redis.integer("redisDB") == 0)
        #expect(try redis.boolean("actorStateStore") == true)
        #expect(redis.keyPrefix == .appID)
        #expect(try components[0].duration("cleanupInterval") == .seconds(5_400))
    }

    @Test(arguments: [
        ("kind: Component\nmetadata: {name: x}\nspec: {type: state.redis}", "apiVersion is missing (expected dapr.io/v1alpha1)"),
        ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: {type: state.mongodb}", "spec.type 'state.mongodb' is not supported; use one of state.redis, state.postgresql, state.in-memory"),
        ("apiVersion: dapr.io/v1alpha1\nkind: Component\nspec: {type: state.redis}", "metadata.name is missing"),
        ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec:\n  type: state.redis\n  metadata:\n  - {name: redisPassword, envRef: NOT_SET_ANYWHERE}", "spec.metadata[0].envRef names environment variable NOT_SET_ANYWHERE, which is not set"),
        ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec:\n  type: state.redis\n  metadata:\n  - name: redisPassword\n    secretKeyRef: {name: redis, key: password}", "spec.metadata[0].secretKeyRef needs a Dapr secret store, which this project does not run; use envRef"),
        ("apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: x}\nspec: [", "is not valid YAML"),
    ])
    func explainsWhatIsWrongNamingFileAndField(yaml: String, message: String) throws {
        let folder = try write(["broken.yaml": yaml])
        #expect {
            _ = try StateComponent.loadAll(from: folder, environment: [:])
        } throws: { error in
            "\(error)".hasPrefix("\(folder)/broken.yaml: \(message)")
        }
    }

    @Test func rejectsTwoComponentsWithOneName() throws {
        let component = "apiVersion: dapr.io/v1alpha1\nkind: Component\nmetadata: {name: same}\nspec: {type: state.in-memory}"
        let folder = try write(["a.yaml": component, "b.yaml": component])
        #expect(throws: ComponentError(file: folder + "/b.yaml", field: "metadata.name", problem: "a second component is named 'same'")) {
            try StateComponent.loadAll(from: folder, environment: [:])
        }
    }

    @Test func namesARequiredValueThatIsMissing() throws {
        let component = StateComponent(name: "s", type: "state.postgresql", version: "", metadata: [:], file: "orderstore.yaml")
        #expect(throws: ComponentError(file: "orderstore.yaml", field: "spec.metadata connectionString", problem: "is required for state.postgresql")) {
            try component.required("connectionString")
        }
    }
}
