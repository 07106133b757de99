import Foundation

/// One HTTP request as a plugin describes it: method, base URL and path, query,
/// headers and an optional body. Query and headers keep the plugin's order on
/// the wire; the cache key sorts them so equal requests share a key.
public struct FetchRequest: Sendable, Hashable {
    public var method: String
    public var baseURL: String
    public var path: String
    public var query: [QueryItem]
    public var headers: [Header]
    public var body: [UInt8]?
    /// For a JSON response: keep only the first `maxItems` entries of every
    /// array and object, pruned as the body arrives (``JSONPruner``); nil keeps all.
    public var maxItems: Int?

    public struct QueryItem: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public struct Header: Sendable, Hashable {
        public var name: String
        public var value: String
        public init(_ name: String, _ value: String) {
            self.name = name
            self.value = value
        }
    }

    public init(method: String = "GET", baseURL: String, path: String, query: [QueryItem] = [], headers: [Header] = [], body: [UInt8]? = nil, maxItems: Int? = nil) {
        self.method = method.uppercased()
        self.baseURL = baseURL
        self.path = path
        self.query = query
        self.headers = headers
        self.body = body
        self.maxItems = maxItems
    }

    /// The full URL: base URL without its trailing slash, the path
    /// percent-encoded where needed, and the query percent-encoded.
    public var url: String {
        var text = ""
        text.reserveCapacity(baseURL.utf8.count + path.utf8.count + 1 + query.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 })
        Self.appendURL(to: &text, baseURL: baseURL, path: path, query: query)
        return text
    }

    /// A key naming this request exactly (method, URL with sorted query, sorted
    /// headers, body), with every secret replaced by `redactor`'s placeholder.
    public func cacheKey(redactor: Redactor) -> String {
        let sortedQuery = query.count < 2 ? query : query.sorted { ($0.name, $0.value) < ($1.name, $1.value) }
        var key = method
        key.reserveCapacity(method.utf8.count + baseURL.utf8.count + path.utf8.count + 64
            + sortedQuery.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 2 }
            + headers.reduce(0) { $0 + $1.name.utf8.count + $1.value.utf8.count + 3 })
        key += " "
        Self.appendURL(to: &key, baseURL: baseURL, path: path, query: sortedQuery)
        for (name, value) in headers.map({ (Self.asciiLowercased($0.name), $0.value) }).sorted(by: <) {
            key += "\n"
            key += name
            key += ": "
            key += value
        }
        if let maxItems { key += "\nmax_items: \(maxItems)" }
        if let body { key += "\n\n" + String(decoding: body, as: UTF8.self) }
        return redactor.redact(key)
    }

    /// Appends the URL to `text`, built in place (no intermediate strings when nothing needs escaping).
    static func appendURL(to text: inout String, baseURL: String, path: String, query: [QueryItem]) {
        var base = Substring(baseURL)
        while base.utf8.last == UInt8(ascii: "/") { base = base.dropLast() }
        text += base
        if !path.isEmpty {
            if path.utf8.first != UInt8(ascii: "/") { text += "/" }
            text += encodePath(path)
        }
        for (index, item) in query.enumerated() {
            text += index == 0 ? "?" : "&"
            text += encodeQuery(item.name)
            text += "="
            text += encodeQuery(item.value)
        }
    }

    /// ASCII lower case, without a new string when there is no upper-case letter.
    public static func asciiLowercased(_ name: String) -> String {
        name.utf8.contains { $0 >= UInt8(ascii: "A") && $0 <= UInt8(ascii: "Z") } ? name.lowercased() : name
    }

    static let pathAllowed: CharacterSet = {
        var set = CharacterSet.urlPathAllowed
        set.remove(charactersIn: "?#")
        return set
    }()

    static let queryValueAllowed: CharacterSet = {
        var set = CharacterSet.alphanumerics
        set.insert(charactersIn: "-._~,:/")
        return set
    }()

    static func encodePath(_ text: String) -> String {
        // Most paths need no escaping: say so without Foundation.
        if text.utf8.allSatisfy({ $0 < 128 && pathASCII[Int($0)] }) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: pathAllowed) ?? text
    }

    /// ``pathAllowed`` for ASCII, as a table.
    static let pathASCII: [Bool] = (0..<128).map { pathAllowed.contains(Unicode.Scalar(UInt8($0))) }

    static func encodeQuery(_ text: String) -> String {
        // Most names and values need no escaping: say so without Foundation.
        if text.utf8.allSatisfy({ $0 < 128 && queryValueASCII[Int($0)] }) { return text }
        return text.addingPercentEncoding(withAllowedCharacters: queryValueAllowed) ?? text
    }

    /// ``queryValueAllowed`` for ASCII, as a table.
    static let queryValueASCII: [Bool] = (0..<128).map { code in
        let scalar = Unicode.Scalar(UInt8(code))
        return queryValueAllowed.contains(scalar)
    }
}
