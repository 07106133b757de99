/// When anything could next ask the ``Fetcher`` for a response again: what
/// decides whether a response is worth keeping in the cache at all.
///
/// A response is kept for its source's `cache_ttl` only if it is still fresh
/// when it could next be asked for: `argo cycle` runs one cycle and exits, and
/// `argo run`'s next cycle starts an interval later, after a 10-second entry
/// has gone stale. Identical requests in flight together share one upstream
/// call whatever this says.
public enum NextUse: Sendable, Equatable {
    /// Unknown: every response is kept for its TTL (the default).
    case anytime
    /// Not before this long from now (the next cycle's start): a response whose TTL ends sooner is not kept.
    case after(Duration)
    /// Never (a one-shot cycle): nothing is kept.
    case never
}
