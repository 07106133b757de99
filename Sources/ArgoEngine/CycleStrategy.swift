/// How a cycle is executed. The defaults are Argo's. Each switch turns one of
/// the seed analysis's fixes off, so that benchmarks can rebuild the slow
/// service it describes and measure what each fix contributes; nothing else
/// should turn them off.
public struct CycleStrategy: Sendable, Equatable {
    /// Symbols run concurrently (up to `cycle.max_concurrent_symbols`); off: one after another.
    public var parallelSymbols = true
    /// Per symbol, the market-data chain and the independent sources start together; off: one after another.
    public var parallelSources = true
    /// Regime detection reuses the market-data bars; off: a second, 200-day request for them, as the seed did.
    public var reuseBarsForRegime = true
    /// Argo's own: the first wave of symbols starts its slowest sources first (``LaunchOrder``); off: in task order.
    public var slowestFirst = true

    public init(parallelSymbols: Bool = true, parallelSources: Bool = true, reuseBarsForRegime: Bool = true, slowestFirst: Bool = true) {
        self.parallelSymbols = parallelSymbols
        self.parallelSources = parallelSources
        self.reuseBarsForRegime = reuseBarsForRegime
        self.slowestFirst = slowestFirst
    }

    /// The seed service before its fixes (a new connection per request is the transport's part).
    public static let seed = CycleStrategy(parallelSymbols: false, parallelSources: false, reuseBarsForRegime: false)
}
