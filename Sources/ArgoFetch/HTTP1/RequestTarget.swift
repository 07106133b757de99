/// Where one request goes: the origin (scheme, host, port) its connection is
/// pooled under, the request target on the wire, and the `Host` header.
struct RequestTarget: Sendable, Equatable {
    /// A pool key: requests to the same origin share connections.
    struct Origin: Sendable, Hashable {
        var secure: Bool
        var host: String
        var port: Int

        static func bracketed(_ host: String) -> String { host.utf8.contains(UInt8(ascii: ":")) ? "[" + host + "]" : host }
    }

    var origin: Origin
    /// Path and query, as sent after the method ("/" when the URL has none).
    var pathAndQuery: String

    /// The `Host` header: the host, with the port only when it is not the scheme's default.
    var hostHeader: String {
        let host = Origin.bracketed(origin.host)
        return origin.port == (origin.secure ? 443 : 80) ? host : host + ":" + String(origin.port)
    }

    /// Parses an absolute `http` or `https` URL. User info and fragments are refused.
    init(url: String) throws(HTTP1ClientError) {
        let text = Substring(url)
        let secure: Bool
        var rest: Substring
        let scheme = text.prefix(8).lowercased()
        if scheme.hasPrefix("https://") {
            secure = true
            rest = text.dropFirst(8)
        } else if scheme.hasPrefix("http://") {
            secure = false
            rest = text.dropFirst(7)
        } else {
            throw .invalidURL("only http:// and https:// URLs are supported")
        }
        // Byte searches (on the UTF-8 view, whose indices the substrings share): every delimiter is ASCII.
        let authorityEnd = rest.utf8.firstIndex { $0 == UInt8(ascii: "/") || $0 == UInt8(ascii: "?") || $0 == UInt8(ascii: "#") } ?? rest.endIndex
        let authority = rest[..<authorityEnd]
        rest = rest[authorityEnd...]
        if let fragment = rest.utf8.firstIndex(of: UInt8(ascii: "#")) { rest = rest[..<fragment] }
        guard !authority.isEmpty, !authority.utf8.contains(UInt8(ascii: "@")) else { throw .invalidURL("the URL needs a host and no user info") }

        var host: Substring
        var portText: Substring?
        if authority.hasPrefix("[") {
            guard let close = authority.utf8.firstIndex(of: UInt8(ascii: "]")) else { throw .invalidURL("unclosed [ in the host") }
            host = authority[authority.index(after: authority.startIndex)..<close]
            let after = authority[authority.index(after: close)...]
            if after.hasPrefix(":") { portText = after.dropFirst() } else if !after.isEmpty { throw .invalidURL("bad host") }
        } else if let colon = authority.utf8.lastIndex(of: UInt8(ascii: ":")) {
            host = authority[..<colon]
            portText = authority[authority.index(after: colon)...]
        } else {
            host = authority
        }
        guard !host.isEmpty else { throw .invalidURL("the URL needs a host") }
        var port = secure ? 443 : 80
        if let portText {
            guard let parsed = Int(portText), (1...65_535).contains(parsed) else { throw .invalidURL("bad port") }
            port = parsed
        }
        origin = Origin(secure: secure, host: host.lowercased(), port: port)
        pathAndQuery = rest.isEmpty ? "/" : (rest.hasPrefix("?") ? "/" + rest : String(rest))
    }

    /// Where a redirect's `Location` points: absolute, or relative to this target.
    func resolving(_ location: String) throws(HTTP1ClientError) -> RequestTarget {
        let lowered = location.lowercased()
        if lowered.hasPrefix("http://") || lowered.hasPrefix("https://") { return try RequestTarget(url: location) }
        if location.hasPrefix("//") { return try RequestTarget(url: (origin.secure ? "https:" : "http:") + location) }
        var next = self
        if location.hasPrefix("/") {
            next.pathAndQuery = location
        } else {
            let path = pathAndQuery.prefix { $0 != "?" }
            let directory = path.lastIndex(of: "/").map { path[...$0] } ?? "/"
            next.pathAndQuery = String(directory) + location
        }
        return next
    }
}
