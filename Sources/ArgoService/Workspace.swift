import Foundation

/// Where a running Argo reads its files from, and what it runs against: the
/// host settings file (`Config/argo.yaml`), the consensus beside it, the
/// environment (API keys, `ARGO_…` overrides) and, with `--demo`, the
/// simulator's base URLs.
public struct Workspace: Sendable {
    public var configPath: String
    public var environment: [String: String]
    /// With `--demo`: the simulator's listeners, one per source where there are enough.
    public var demo: DemoListeners?

    public init(configPath: String = "Config/argo.yaml", environment: [String: String] = ProcessInfo.processInfo.environment, demoBaseURLs: [String]? = nil) {
        self.configPath = configPath
        self.environment = environment
        self.demo = demoBaseURLs.map(DemoListeners.init(baseURLs:))
    }

    /// `consensus.lua` in the directory of the settings file.
    public var consensusPath: String {
        ((configPath as NSString).deletingLastPathComponent as NSString).appendingPathComponent("consensus.lua")
    }

    /// Whether this runs against the simulator with placeholder keys.
    public var isDemo: Bool { demo != nil }
}
