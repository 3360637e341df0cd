/// A configuration value that is missing or malformed, named by the environment variable a person
/// would set to fix it.
public struct ConfigurationError: Error, Sendable, CustomStringConvertible {
    /// The variable, e.g. `REDIS_PORT`.
    public var variable: String
    /// What is wrong with it.
    public var problem: String

    public init(variable: String, problem: String) {
        self.variable = variable
        self.problem = problem
    }

    public var description: String { "invalid configuration: \(variable) \(problem)" }
}
