extension SimulatorScenario {
    /// The upstream latencies `--demo` simulates: about what the vendors answer in.
    public static var demo: SimulatorScenario {
        func latency(_ value: SimulatedLatency) -> RouteKnobs {
            var knobs = RouteKnobs()
            knobs.latency = value
            return knobs
        }
        return SimulatorScenario(routes: [
            .alpaca: latency(.uniform(min: 60, max: 140)),
            .massive: latency(.uniform(min: 80, max: 160)),
            .yahoo: latency(.uniform(min: 80, max: 200)),
            .alphaVantage: latency(.uniform(min: 120, max: 260)),
            .xai: latency(.logNormal(median: 450, sigma: 0.25)),
            .perplexity: latency(.logNormal(median: 600, sigma: 0.25)),
        ])
    }
}
