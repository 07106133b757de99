import ArgoSimulator

/// Runs `body` against a simulator on 127.0.0.1 (a free port), shut down afterwards.
func withSimulator<R>(
    _ scenario: SimulatorScenario = SimulatorScenario(today: "2026-11-24"), _ body: (Simulator) async throws -> R
) async throws -> R {
    let simulator = try await Simulator.start(scenario: scenario)
    do {
        let result = try await body(simulator)
        try await simulator.shutdown()
        return result
    } catch {
        try? await simulator.shutdown()
        throw error
    }
}

let alpacaKeys = ["APCA-API-KEY-ID": "test-key", "APCA-API-SECRET-KEY": "test-secret"]
