import ArgoCore

/// Told of every fetch that went upstream (not cache hits, not coalesced
/// followers), once its retries are over: how long it took, first attempt to
/// last byte, and how it failed if it did. Metrics implement it; it must not block.
public protocol FetchObserver: Sendable {
    func fetched(source: String, seconds: Double, failure: FetchError.Kind?)
}

extension Result {
    /// The error of a failure, nil for a success.
    var failure: Failure? {
        if case .failure(let error) = self { return error }
        return nil
    }
}
