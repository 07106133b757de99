import ArgoCore
import Testing

@Suite("Did you mean: the suggestion for a mistyped name")
struct DidYouMeanTests {
    @Test("a swap, a missing, an extra or a wrong letter finds the name; an unrelated one finds nothing")
    func suggestions() {
        let fields = ["name", "weight", "cache_ttl", "timeout", "max_concurrency", "rate_limit"]
        #expect(DidYouMean.closest(to: "wieght", among: fields) == "weight")
        #expect(DidYouMean.closest(to: "cache_tll", among: fields) == "cache_ttl")
        #expect(DidYouMean.closest(to: "timout", among: fields) == "timeout")
        #expect(DidYouMean.closest(to: "max_concurrencyy", among: fields) == "max_concurrency")
        #expect(DidYouMean.closest(to: "Weight", among: fields) == "weight", "case is not a typo's business")
        #expect(DidYouMean.closest(to: "xai", among: ["alpaca", "xai_grok", "sonar"]) == nil, "five letters short is another name")
        #expect(DidYouMean.closest(to: "colour", among: fields) == nil)
        #expect(DidYouMean.hint(for: "nme", among: fields) == " (did you mean 'name'?)")
        #expect(DidYouMean.hint(for: "zzz", among: fields) == "")
    }

    @Test("edit distance counts an adjacent swap as one edit")
    func distance() {
        #expect(DidYouMean.editDistance(Array("ab"), Array("ba")) == 1)
        #expect(DidYouMean.editDistance(Array(""), Array("abc")) == 3)
        #expect(DidYouMean.editDistance(Array("kitten"), Array("sitting")) == 3)
    }
}
