import ArgoPlugins
import Testing

@Suite("Writing proposed weights into consensus.lua")
struct ConsensusWeightsEditTests {
    static let file = """
        -- My weights. Tuned by hand in March.
        return {
          weights = {
            alpaca = 0.25,   -- the main feed
            massive = 0.25,
          },
          -- massive = 9, in a comment, is not a weight
          min_sources = 2,
        }
        """

    @Test("only the numbers change: comments, order and layout stay; a new source gets a line of its own")
    func rewrite() {
        let rewritten = ConsensusWeightsEdit.rewrite(Self.file, weights: ["alpaca": 0.3, "massive": 0.125, "yfinance": 0.2])
        #expect(rewritten == """
            -- My weights. Tuned by hand in March.
            return {
              weights = {
                alpaca = 0.3,   -- the main feed
                massive = 0.125,
                yfinance = 0.2,
              },
              -- massive = 9, in a comment, is not a weight
              min_sources = 2,
            }
            """)
        let diff = ConsensusWeightsEdit.diff(Self.file, rewritten, path: "consensus.lua")
        #expect(diff == ["--- consensus.lua", "+++ consensus.lua (proposed)", "@@ line 4",
                         "-    alpaca = 0.25,   -- the main feed", "-    massive = 0.25,",
                         "+    alpaca = 0.3,   -- the main feed", "+    massive = 0.125,", "+    yfinance = 0.2,"])
        #expect(ConsensusWeightsEdit.diff(Self.file, Self.file, path: "x").isEmpty)
    }

    @Test("a one-line table and a file without weights both get them")
    func shapes() {
        let inline = ConsensusWeightsEdit.rewrite("return {\n  weights = { alpaca = 1 },\n}", weights: ["alpaca": 0.5, "sonar": 0.1])
        #expect(inline == "return {\n  weights = { alpaca = 0.5, sonar = 0.1 },\n}")
        let none = ConsensusWeightsEdit.rewrite("return {\n  min_sources = 2,\n}", weights: ["alpaca": 0.5])
        #expect(none == "return {\n  weights = {\n    alpaca = 0.5,\n  },\n  min_sources = 2,\n}")
    }
}
