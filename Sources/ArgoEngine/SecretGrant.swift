import ArgoCore
import ArgoPlugins

/// What the operator lets one source have: the environment variables it may
/// read, and the origins those values may be sent to.
///
/// A plugin file is code from someone else: it can name any variable in `env`
/// and any host as `base_url`. So a variable reaches a plugin only when it is
/// granted to that plugin by name (`sources.<name>.grant.env` in
/// `Config/argo.yaml`, or the built-in grant of a shipped plugin), and only while
/// the source's base URL is a granted origin (`sources.<name>.grant.origins`),
/// or one the operator set (`sources.<name>.base_url`, `--demo`), over https
/// (plain http only to a loopback host).
public struct SecretGrant: Sendable, Equatable {
    /// Variables the source may read.
    public var env: [String]
    /// Origins (`https://host[:port]`) its secrets may be sent to.
    public var origins: [String]
    /// Where the grant came from: `built-in`, or the file and line of the setting.
    public var origin: String

    /// The shipped plugins' grants: each its vendor's variables, to its vendor's API.
    public static let shipped: [String: SecretGrant] = [
        "alpaca": SecretGrant(env: ["APCA_API_KEY_ID", "APCA_API_SECRET_KEY"], origins: ["https://data.alpaca.markets"], origin: "built-in"),
        "massive": SecretGrant(env: ["MASSIVE_API_KEY", "POLYGON_API_KEY"], origins: ["https://api.massive.com", "https://api.polygon.io"], origin: "built-in"),
        "alpha_vantage": SecretGrant(env: ["ALPHAVANTAGE_API_KEY"], origins: ["https://www.alphavantage.co"], origin: "built-in"),
        "xai_grok": SecretGrant(env: ["XAI_API_KEY"], origins: ["https://api.x.ai"], origin: "built-in"),
        "sonar": SecretGrant(env: ["PERPLEXITY_API_KEY"], origins: ["https://api.perplexity.ai"], origin: "built-in"),
    ]

    /// The grant of `source`: the config's keys where set (each replaces the built-in list), else the built-in grant, else none.
    public static func of(_ source: String, config: ArgoConfig) throws(ConfigError) -> SecretGrant {
        var grant = shipped[source] ?? SecretGrant(env: [], origins: [], origin: "none")
        let envKey = "sources.\(source).grant.env", originsKey = "sources.\(source).grant.origins"
        if let env = config.file.list(envKey) {
            grant.env = env
            grant.origin = config.file.entry(envKey)?.origin ?? ConfigFile.environmentName(envKey)
        }
        if let origins = config.file.list(originsKey) {
            var normalized: [String] = []
            for text in origins {
                guard let origin = Self.origin(of: text) else {
                    throw ConfigError(origin: config.file.entry(originsKey)?.origin ?? ConfigFile.environmentName(originsKey),
                                      message: "'\(originsKey)' must list origins such as https://api.example.com, got '\(text)'")
                }
                normalized.append(origin)
            }
            grant.origins = normalized
        }
        return grant
    }

    /// `scheme://host[:port]` of an http(s) URL, lower-cased, without the scheme's default port; nil for anything else.
    public static func origin(of url: String) -> String? {
        let lowered = url.lowercased()
        let scheme: String
        if lowered.hasPrefix("https://") { scheme = "https" } else if lowered.hasPrefix("http://") { scheme = "http" } else { return nil }
        let rest = lowered.dropFirst(scheme.count + 3)
        let authority = rest.prefix { $0 != "/" && $0 != "?" && $0 != "#" }
        guard !authority.isEmpty, !authority.contains("@") else { return nil }
        var text = "\(scheme)://\(authority)"
        let defaultPort = scheme == "https" ? ":443" : ":80"
        if text.hasSuffix(defaultPort) { text.removeLast(defaultPort.count) }
        return text
    }

    /// Whether `url`'s host is a loopback address (127.0.0.0/8, ::1 or localhost).
    public static func isLoopback(_ url: String) -> Bool {
        guard let origin = origin(of: url) else { return false }
        var host = Substring(origin.drop { $0 != "/" }.dropFirst(2))
        if host.hasPrefix("[") {
            host = host.dropFirst().prefix { $0 != "]" }
            return host == "::1"
        }
        host = host.prefix { $0 != ":" }
        return host == "localhost" || host.hasPrefix("127.")
    }

    /// Why `manifest` may not have the variables it asks for at `baseURL`, or nil when it may.
    /// `operatorBaseURL` is the base URL the operator set, if any: its origin counts as granted.
    func refusal(for manifest: PluginManifest, baseURL: String, operatorBaseURL: String?) -> String? {
        guard !manifest.env.isEmpty else { return nil }
        for declared in manifest.env {
            let names = declared.split(separator: "|").map(String.init)
            if !names.contains(where: env.contains) {
                return "\(manifest.file) asks for \(names.joined(separator: " or ")), which is not granted to '\(manifest.name)' "
                    + "(grant it with sources.\(manifest.name).grant.env and .grant.origins in Config/argo.yaml)"
            }
        }
        guard let target = Self.origin(of: baseURL) else { return "base_url '\(baseURL)' is not an http(s) URL" }
        if !target.hasPrefix("https://"), !Self.isLoopback(baseURL) {
            return "secrets go over https only (plain http only to loopback), and base_url is \(target)"
        }
        let allowed = origins + [operatorBaseURL.flatMap(Self.origin(of:))].compactMap { $0 }
        if !allowed.contains(target) {
            return "\(manifest.file) sends its secrets to \(target), which is not a granted origin "
                + "(sources.\(manifest.name).grant.origins: \(origins.isEmpty ? "none" : origins.joined(separator: ", ")))"
        }
        return nil
    }
}
