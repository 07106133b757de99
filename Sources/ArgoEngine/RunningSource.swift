import ArgoPlugins

/// An enabled source as the engine runs it, held by reference: a cycle's tasks
/// pass their source down async call chains whose frames live in each task's
/// allocator, 8 bytes there instead of a 304-byte ``SourceSetup`` copy.
final class RunningSource: Sendable {
    let setup: SourceSetup

    init(_ setup: SourceSetup) {
        self.setup = setup
    }

    var name: String { setup.name }
    var baseURL: String { setup.baseURL }
    var weight: Double { setup.weight }
    var hasSignal: Bool { setup.manifest.hasSignal }
    var file: String { setup.manifest.file }
}
